namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="action"/> on this pool and returns a <see cref="ValueTask"/> that
    /// completes when it has run: the async counterpart of <see cref="Install(Action)"/>, as fast
    /// as a synchronous call where it can be. A caller with no context to keep free (no
    /// <see cref="SynchronizationContext"/>, the default <see cref="TaskScheduler"/>: a .NET
    /// thread-pool thread, as a request of an ASP.NET service runs on) runs the work itself as a
    /// guest when a guest slot is free, and gets a completed ValueTask, as <c>Install</c> would;
    /// otherwise (a UI or other context, a participant of a pool, no free slot) the work goes to
    /// the workers and the caller's thread is free meanwhile. The code after <c>await</c> never
    /// runs on a pool worker: it goes on on the caller's thread (inline route), or runs on a .NET
    /// thread-pool thread, or is posted to the <see cref="SynchronizationContext"/> or
    /// <see cref="TaskScheduler"/> the <c>await</c> captured (<c>ConfigureAwait(false)</c> opts out,
    /// as for any awaitable). See docs/async.md.
    /// </summary>
    /// <param name="action">The work. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">
    /// Checked when a worker takes the job: once cancelled, the work is skipped and the
    /// ValueTask throws an <see cref="OperationCanceledException"/> carrying this token. Work that
    /// has started runs to its end.
    /// </param>
    /// <returns>
    /// A ValueTask backed by a pooled completion source: await it once (or call
    /// <see cref="ValueTask.AsTask"/> once); awaiting it twice, or reading its result before it
    /// completed, throws <see cref="InvalidOperationException"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null (thrown by this call, not by the ValueTask).</exception>
    /// <remarks>
    /// The ValueTask throws what <see cref="Install(Action)"/> throws: the work's own exception,
    /// with its original stack trace; <see cref="ObjectDisposedException"/> when the pool was
    /// disposed before the work could be queued (work queued before <see cref="Dispose"/> runs,
    /// and its ValueTask completes). After warm-up an awaited call allocates nothing when the
    /// delegate captures nothing. While the install ring is full, the call waits for room (as
    /// <see cref="Spawn(Action)"/> does): a bounded queue is the pool's back-pressure.
    /// </remarks>
    public ValueTask InstallAsync(Action action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return StartAsync(new AsyncActionBody(action), cancellationToken);
    }

    /// <summary>Runs <paramref name="function"/> on a worker of this pool; the ValueTask returns its result. See <see cref="InstallAsync(Action, CancellationToken)"/>.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The work. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Checked when a worker takes the job; once cancelled, the work is skipped.</param>
    /// <returns>A ValueTask, to await once, of the value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public ValueTask<TResult> InstallAsync<TResult>(Func<TResult> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return StartAsync<AsyncFuncBody<TResult>, TResult>(new AsyncFuncBody<TResult>(function), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/>(<paramref name="state"/>) on a worker of this pool; see
    /// <see cref="InstallAsync(Action, CancellationToken)"/>. With a <c>static</c> lambda this
    /// form needs no closure: an awaited call allocates nothing after warm-up.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="action">The work.</param>
    /// <param name="cancellationToken">Checked when a worker takes the job; once cancelled, the work is skipped.</param>
    /// <returns>A ValueTask, to await once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public ValueTask InstallAsync<TState>(TState state, Action<TState> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return StartAsync(new AsyncStateActionBody<TState>(state, action), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="function"/>(<paramref name="state"/>) on a worker of this pool; the
    /// ValueTask returns its result. See <see cref="InstallAsync(Action, CancellationToken)"/>.
    /// With a <c>static</c> lambda this form is allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the function.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">Passed to <paramref name="function"/>.</param>
    /// <param name="function">The work.</param>
    /// <param name="cancellationToken">Checked when a worker takes the job; once cancelled, the work is skipped.</param>
    /// <returns>A ValueTask, to await once, of the value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public ValueTask<TResult> InstallAsync<TState, TResult>(TState state, Func<TState, TResult> function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        return StartAsync<AsyncStateFuncBody<TState, TResult>, TResult>(new AsyncStateFuncBody<TState, TResult>(state, function), cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="work"/> on a worker of this pool; the ValueTask
    /// returns the body's final state (the fields it assigned: what
    /// <see cref="Install{TWork}(ref TWork)"/> copies back into its argument). See
    /// <see cref="InstallAsync(Action, CancellationToken)"/>. Allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, copied into the pool's job.</param>
    /// <param name="cancellationToken">Checked when a worker takes the job; once cancelled, the work is skipped.</param>
    /// <returns>A ValueTask, to await once, of the body after it ran.</returns>
    public ValueTask<TWork> InstallAsync<TWork>(TWork work, CancellationToken cancellationToken = default)
        where TWork : struct, IWork =>
        StartAsync<AsyncWorkBody<TWork>, TWork>(new AsyncWorkBody<TWork>(work), cancellationToken);

    /// <summary>
    /// Runs the result-returning struct body <paramref name="work"/> on a worker of this pool;
    /// the ValueTask returns its result. See <see cref="InstallAsync(Action, CancellationToken)"/>.
    /// Allocation-free after warm-up. C# cannot infer <typeparamref name="TResult"/>, so name
    /// both type arguments.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="work">The body.</param>
    /// <param name="cancellationToken">Checked when a worker takes the job; once cancelled, the work is skipped.</param>
    /// <returns>A ValueTask, to await once, of the value the body's <see cref="IWork{TResult}.Run"/> returned.</returns>
    public ValueTask<TResult> InstallAsync<TWork, TResult>(TWork work, CancellationToken cancellationToken = default)
        where TWork : struct, IWork<TResult> =>
        StartAsync<AsyncResultWorkBody<TWork, TResult>, TResult>(new AsyncResultWorkBody<TWork, TResult>(work), cancellationToken);

    /// <summary>
    /// Runs <paramref name="body"/> with a new scope on a worker of this pool; the ValueTask
    /// completes when the body and every job spawned into the scope have finished: the async
    /// counterpart of <see cref="Scope(Action{WorkPool.Scope}, CancellationToken)"/>, with its
    /// exceptions, and the completion, continuations and cancellation of
    /// <see cref="InstallAsync(Action, CancellationToken)"/>.
    /// </summary>
    /// <param name="body">The scope's body. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Once cancelled, the scope is skipped if it has not started, and its jobs that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public ValueTask ScopeAsync(Action<Scope> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return StartAsync(new AsyncDiscardBody<AsyncScopeBody<ScopeActionBody>>(new AsyncScopeBody<ScopeActionBody>(new ScopeActionBody(body), cancellationToken)), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, scope) with a new scope on a worker
    /// of this pool; see <see cref="ScopeAsync(Action{WorkPool.Scope}, CancellationToken)"/>. With
    /// a <c>static</c> lambda it needs no closure and is allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the body.</typeparam>
    /// <param name="state">Passed to <paramref name="body"/>.</param>
    /// <param name="body">The scope's body.</param>
    /// <param name="cancellationToken">Once cancelled, the scope or its jobs that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public ValueTask ScopeAsync<TState>(TState state, Action<TState, Scope> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return StartAsync(new AsyncDiscardBody<AsyncScopeBody<ScopeStateActionBody<TState>>>(new AsyncScopeBody<ScopeStateActionBody<TState>>(new ScopeStateActionBody<TState>(state, body), cancellationToken)), cancellationToken);
    }

    /// <summary>
    /// Runs the struct scope body <paramref name="body"/> with a new scope on a worker of this
    /// pool; the ValueTask returns the body's final state. See
    /// <see cref="ScopeAsync(Action{WorkPool.Scope}, CancellationToken)"/>. Allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="body">The body, copied into the pool's job.</param>
    /// <param name="cancellationToken">Once cancelled, the scope or its jobs that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once, of the body after the scope ended.</returns>
    public ValueTask<TBody> ScopeAsync<TBody>(TBody body, CancellationToken cancellationToken = default)
        where TBody : struct, IScopeWork =>
        StartAsync<AsyncScopeBody<TBody>, TBody>(new AsyncScopeBody<TBody>(body, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs <paramref name="body"/>(i) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) on the workers of this pool; the ValueTask completes when
    /// every iteration has finished: the async counterpart of
    /// <see cref="For(int, int, Action{int}, CancellationToken)"/>, with its exceptions and
    /// cancellation, and the completion and continuations of
    /// <see cref="InstallAsync(Action, CancellationToken)"/>. The body is synchronous: this runs
    /// CPU work without blocking the awaiting thread. A body that awaits takes the
    /// <c>Parallel.ForAsync</c> shape, <see cref="ForAsync(int, int, Func{int, CancellationToken, ValueTask}, CancellationToken)"/>
    /// (<c>async (i, ct) =&gt; ...</c>); an <c>async i =&gt; ...</c> lambda here would be
    /// <c>async void</c>, and the package's analyzer reports it (WP0001).
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the ValueTask is already complete.</param>
    /// <param name="body">The iteration. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Once cancelled, the loop is skipped if it has not started, and its pieces that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public ValueTask ForAsync(int fromInclusive, int toExclusive, Action<int> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ForAsyncNoResult(fromInclusive, toExclusive, new ActionForBody(body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i) for every i in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) on the workers of this
    /// pool; see <see cref="ForAsync(int, int, Action{int}, CancellationToken)"/>. With a
    /// <c>static</c> lambda this form is allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration.</param>
    /// <param name="cancellationToken">Once cancelled, the loop or its pieces that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public ValueTask ForAsync<TState>(int fromInclusive, int toExclusive, TState state, Action<TState, int> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ForAsyncNoResult(fromInclusive, toExclusive, new StateActionForBody<TState>(state, body), cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every index in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) on the workers of this
    /// pool; the ValueTask returns the body's final state (every iteration runs on one shared
    /// copy, as in <see cref="For{TBody}(int, int, ref TBody, int, CancellationToken)"/>). See
    /// <see cref="ForAsync(int, int, Action{int}, CancellationToken)"/>. Allocation-free after warm-up.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range.</param>
    /// <param name="body">The body, copied into the pool's job.</param>
    /// <param name="minChunkLength">Ranges are not split into pieces shorter than this (unless the whole range is shorter).</param>
    /// <param name="cancellationToken">Once cancelled, the loop or its pieces that have not started are skipped.</param>
    /// <returns>A ValueTask, to await once, of the body after the loop.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    public ValueTask<TBody> ForAsync<TBody>(int fromInclusive, int toExclusive, TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForBody
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minChunkLength, 1);
        return ForAsyncCore(fromInclusive, toExclusive, body, minChunkLength, cancellationToken);
    }

    private ValueTask ForAsyncNoResult<TBody>(int fromInclusive, int toExclusive, TBody body, CancellationToken cancellationToken)
        where TBody : struct, IForBody
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return fromInclusive >= toExclusive
            ? default
            : StartAsync(new AsyncDiscardBody<AsyncForBody<TBody>>(new AsyncForBody<TBody>(fromInclusive, toExclusive, body, 1, cancellationToken)), cancellationToken);
    }

    private ValueTask<TBody> ForAsyncCore<TBody>(int fromInclusive, int toExclusive, TBody body, int minChunkLength, CancellationToken cancellationToken)
        where TBody : struct, IForBody
    {
        // As For: a cancelled token wins over an empty range.
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TBody>(cancellationToken);
        }

        return fromInclusive >= toExclusive
            ? new ValueTask<TBody>(body)
            : StartAsync<AsyncForBody<TBody>, TBody>(new AsyncForBody<TBody>(fromInclusive, toExclusive, body, minChunkLength, cancellationToken), cancellationToken);
    }

    /// <summary>A call whose ValueTask has no result.</summary>
    private ValueTask StartAsync<TBody>(in TBody body, CancellationToken cancellationToken)
        where TBody : struct, IAsyncBody<NoResult>
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (TryRunAsyncInline(body, out TBody ran, out Exception? error))
        {
            return error is null ? default : ValueTask.FromException(error);
        }

        AsyncJob<TBody, NoResult> job = AsyncJob<TBody, NoResult>.Rent();
        short token = job.Load(body, cancellationToken);
        if (!PublishAsync(job))
        {
            job.Unload();
            return ValueTask.FromException(new ObjectDisposedException(nameof(WorkStealingPool)));
        }

        return new ValueTask(job, token);
    }

    /// <summary>A call whose ValueTask has a result.</summary>
    private ValueTask<TResult> StartAsync<TBody, TResult>(in TBody body, CancellationToken cancellationToken)
        where TBody : struct, IAsyncBody<TResult>
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        if (TryRunAsyncInline(body, out TBody ran, out Exception? error))
        {
            return error is null ? new ValueTask<TResult>(ran.Result) : ValueTask.FromException<TResult>(error);
        }

        AsyncJob<TBody, TResult> job = AsyncJob<TBody, TResult>.Rent();
        short token = job.Load(body, cancellationToken);
        if (!PublishAsync(job))
        {
            job.Unload();
            return ValueTask.FromException<TResult>(new ObjectDisposedException(nameof(WorkStealingPool)));
        }

        return new ValueTask<TResult>(job, token);
    }

    /// <summary>
    /// The inline route of an async call: a caller that no context waits to resume on (no
    /// <see cref="SynchronizationContext"/>, the default <see cref="TaskScheduler"/>: a .NET
    /// thread-pool thread, a plain thread), outside every pool, with a guest slot free, runs the
    /// work itself as a guest (idle workers take its shared halves and spawns, as for
    /// <see cref="Install(Action)"/>), and the call returns a completed ValueTask: no job, no
    /// hand-off, no thread hop for the continuation. The caller's thread is busy for as long as
    /// the work runs, which is what <c>await Task.Run(work)</c> from a thread-pool thread costs the
    /// thread pool too. Everywhere else (a UI or other context whose thread must stay free, a
    /// pool participant, no free slot, a disposed pool) the job goes to the workers. False when
    /// the work did not run here; otherwise <paramref name="ran"/> is the body after it ran and
    /// <paramref name="error"/> what it threw.
    /// </summary>
    private unsafe bool TryRunAsyncInline<TBody>(in TBody body, out TBody ran, out Exception? error)
        where TBody : struct, IWork
    {
        ran = body;
        error = null;
        if (SynchronizationContext.Current is not null || TaskScheduler.Current != TaskScheduler.Default || IsDisposed)
        {
            return false;
        }

        ThreadContext? context = ThreadContext.CurrentOrNull;
        if (context?.Participant is not null)
        {
            return false;
        }

        // Once per thread (as for Install): the context keeps the stack limit and the slot hint.
        context ??= ThreadContext.Current;
        byte stackTop = 0;
        if (_guests.TryEnter(context, &stackTop) is not { } guest)
        {
            return false;
        }

        try
        {
            ran.Run(new ForkContext(guest));
        }
#pragma warning disable CA1031 // Every user exception goes to the awaiter, as on the workers' route.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = e;
        }
        finally
        {
            GuestSlots.Leave(guest, context);
        }

        return true;
    }

    /// <summary>
    /// Hands an async call's job to the workers, never to the calling thread: from a worker of
    /// this pool onto its deque (where idle workers steal it; the worker itself runs it only
    /// after its current job), from anywhere else (a guest call too) through the
    /// <see cref="InstallRing"/>, the ring of work someone waits for: an awaiting request is
    /// waiting for it as much as a blocked Install caller, so it must not queue behind a flood of
    /// fire-and-forget spawns. False once the pool is disposed.
    /// </summary>
    private bool PublishAsync(Job job)
    {
        ThreadContext? context = ThreadContext.CurrentOrNull;
        if (context?.Participant is { IsGuest: false } worker && worker.Pool == this)
        {
            if (!worker.TryPushSpawned(job))
            {
                InjectFromWorker(context, job);
            }

            return true;
        }

        if (context is null)
        {
            // A thread that never used a pool: typically one of the many .NET thread-pool threads
            // of a service, where the continuations of earlier calls run. It gets no thread
            // context (and no statistics slot) as long as the ring has room: a context is a
            // per-thread allocation, and the set of threads that make async calls keeps changing.
            // The same gate and ring publication as PublishFromOutside, less its counter.
            if (!TryEnterGate())
            {
                return false;
            }

            bool enqueued;
            try
            {
                enqueued = _installRing.TryEnqueue(job);
            }
            finally
            {
                ExitGate();
            }

            if (enqueued)
            {
                // Full fence between publishing the job and reading the sleeper count (see Sleepers).
                Interlocked.MemoryBarrier();
                _sleepers.NotifyWork();
                return true;
            }

            // The ring is full: wait for room as any outside producer does, with a context.
            context = ThreadContext.Current;
        }

        return PublishFromOutside(context, job, awaited: true);
    }
}
