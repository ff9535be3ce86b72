using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="body"/> on a worker of this pool with a new <see cref="WorkPool.Scope"/>,
    /// and returns when the body and every job spawned into the scope (including jobs spawned by
    /// those jobs) have finished. Called from a worker of this pool, the body runs right there;
    /// from any other thread, it is installed (see <see cref="Install(Action)"/>). While it waits,
    /// the worker runs the scope's jobs and any other work of the pool.
    /// </summary>
    /// <param name="body">The scope's body; spawns jobs through the handle it gets. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">When canceled, jobs that have not started yet are skipped.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancellation skipped at least one job, and no job threw.</exception>
    /// <exception cref="AggregateException">The body or one or more jobs threw: every exception, in the order they were recorded (always an aggregate, however many threw).</exception>
    /// <remarks>
    /// An exception thrown by the body or a job does not stop the other jobs: the scope waits for
    /// all of them, then throws an <see cref="AggregateException"/> of every exception, as
    /// <c>Task.WaitAll</c> does, whichever threads the jobs ran on (docs/exceptions.md).
    /// </remarks>
    public void Scope(Action<Scope> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new ScopeActionBody(body);
        ScopeCore(ref work, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, scope) with a new scope and waits for
    /// every job spawned into it; see <see cref="Scope(Action{WorkPool.Scope}, CancellationToken)"/>.
    /// With a <c>static</c> lambda it needs no closure and is allocation-free. The state comes
    /// first, as in every state form: <c>pool.Scope(items, static (items, scope) =&gt; ...)</c>.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the body.</typeparam>
    /// <param name="state">Passed to <paramref name="body"/>.</param>
    /// <param name="body">The scope's body.</param>
    /// <param name="cancellationToken">When canceled, jobs that have not started yet are skipped.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancellation skipped at least one job, and no job threw.</exception>
    /// <exception cref="AggregateException">The body or one or more jobs threw.</exception>
    public void Scope<TState>(TState state, Action<TState, Scope> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new ScopeStateActionBody<TState>(state, body);
        ScopeCore(ref work, cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> with a new scope and waits for every job
    /// spawned into it; see <see cref="Scope(Action{WorkPool.Scope}, CancellationToken)"/>.
    /// Allocation-free. The body's final state (the fields it assigned) is visible in
    /// <paramref name="body"/> afterwards.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="body">The body, passed by reference.</param>
    /// <param name="cancellationToken">When canceled, jobs that have not started yet are skipped.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancellation skipped at least one job, and no job threw.</exception>
    /// <exception cref="AggregateException">The body or one or more jobs threw.</exception>
    public void Scope<TBody>(ref TBody body, CancellationToken cancellationToken = default)
        where TBody : struct, IScopeWork => ScopeCore(ref body, cancellationToken);

    /// <summary>
    /// Fire and forget: runs <paramref name="job"/> once, later, on a worker of this pool. From a
    /// worker of this pool the job goes onto that worker's deque (when it is full, through the
    /// injector ring); from any other thread through the injector ring, and when the ring is full
    /// the caller waits for room: no job is ever dropped, nothing is allocated, and one thread's
    /// spawns from outside the pool leave the ring in the order it made them.
    /// </summary>
    /// <param name="job">The work. Allocation-free when it captures nothing (a <c>static</c> lambda or a cached delegate).</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    /// <remarks>
    /// Nobody waits for the job, so an exception it throws goes to
    /// <see cref="WorkStealingPoolOptions.UnhandledException"/>; without a handler it ends the
    /// process, as an unhandled exception in a .NET thread-pool work item does.
    /// <see cref="Dispose"/> runs every job spawned before it started.
    /// </remarks>
    public void Spawn(Action job)
    {
        ArgumentNullException.ThrowIfNull(job);
        SpawnCore(new ActionBody(job));
    }

    /// <summary>Fire and forget: runs <paramref name="job"/>(<paramref name="state"/>) once, later, on a worker; see <see cref="Spawn(Action)"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the job.</typeparam>
    /// <param name="state">Passed to <paramref name="job"/>.</param>
    /// <param name="job">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    public void Spawn<TState>(TState state, Action<TState> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        SpawnCore(new StateActionBody<TState>(state, job));
    }

    /// <summary>Fire and forget: runs the struct body <paramref name="job"/> once, later, on a worker; see <see cref="Spawn(Action)"/>. Allocation-free.</summary>
    /// <typeparam name="TWork">
    /// The body type: an <see cref="IWork"/>, like every body the pool runs on its own. A job for
    /// a scope implements <see cref="IScopeWork"/> instead (it receives the <see cref="WorkPool.Scope"/>,
    /// not a <see cref="ForkContext"/>) and goes to <see cref="WorkPool.Scope.Spawn{TJob}(TJob)"/>;
    /// passing one here fails to compile (CS0315: no boxing conversion to <see cref="IWork"/>).
    /// </typeparam>
    /// <param name="job">The body, copied into the pool's job storage.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    public void Spawn<TWork>(TWork job)
        where TWork : struct, IWork => SpawnCore(job);

    /// <summary>
    /// Fire and forget, unless <paramref name="cancellationToken"/> is canceled first: runs
    /// <paramref name="job"/> once, later, on a worker; see <see cref="Spawn(Action)"/>. Canceled
    /// before the call, nothing is queued; canceled before the job starts, the worker skips it.
    /// </summary>
    /// <param name="job">The work. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Skips the job if canceled before it starts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call.</exception>
    public void Spawn(Action job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        SpawnCore(new CancelableBody<ActionBody>(new ActionBody(job), cancellationToken));
    }

    /// <summary>Fire and forget, unless <paramref name="cancellationToken"/> is canceled first: runs <paramref name="job"/>(<paramref name="state"/>) once, later, on a worker; see <see cref="Spawn(Action, CancellationToken)"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the job.</typeparam>
    /// <param name="state">Passed to <paramref name="job"/>.</param>
    /// <param name="job">The work.</param>
    /// <param name="cancellationToken">Skips the job if canceled before it starts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call.</exception>
    public void Spawn<TState>(TState state, Action<TState> job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        SpawnCore(new CancelableBody<StateActionBody<TState>>(new StateActionBody<TState>(state, job), cancellationToken));
    }

    /// <summary>Fire and forget, unless <paramref name="cancellationToken"/> is canceled first: runs the struct body <paramref name="job"/> once, later, on a worker; see <see cref="Spawn{TWork}(TWork)"/> and <see cref="Spawn(Action, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TWork">The body type (an <see cref="IWork"/>, as for <see cref="Spawn{TWork}(TWork)"/>).</typeparam>
    /// <param name="job">The body, copied into the pool's job storage.</param>
    /// <param name="cancellationToken">Skips the job if canceled before it starts.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed (from a thread outside the pool).</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call.</exception>
    public void Spawn<TWork>(TWork job, CancellationToken cancellationToken)
        where TWork : struct, IWork
    {
        cancellationToken.ThrowIfCancellationRequested();
        SpawnCore(new CancelableBody<TWork>(job, cancellationToken));
    }

    private unsafe void ScopeCore<TBody>(ref TBody body, CancellationToken cancellationToken)
        where TBody : struct, IScopeWork
    {
        // Canceled before the call: nothing runs, not even the body (docs/exceptions.md).
        cancellationToken.ThrowIfCancellationRequested();
        ThreadContext? continueFrom = null;
        if (ThreadContext.CurrentOrNull?.Participant is { } participant && participant.Pool == this)
        {
            byte local = 0;
            if (!participant.GuestNearStackLimit(&local))
            {
                participant.EnsureSufficientStack(&local);
                participant.RunScope(ref body, cancellationToken);
                return;
            }

            // A guest low on its own stack: the scope goes on on a worker (Participant.Stack.cs).
            continueFrom = participant.OccupantContext;
        }

        var install = new ScopeInstallBody<TBody>(body, cancellationToken);
        ExceptionDispatchInfo? error;
        try
        {
            error = continueFrom is null ? InstallCore(ref install) : ContinueOnAWorker(ref install, continueFrom);
        }
        finally
        {
            body = install.Body;
        }

        error?.Throw();
    }

    private void SpawnCore<TWork>(in TWork work)
        where TWork : struct, IWork
    {
        ThreadContext context = ThreadContext.Current;
        if (context.Participant is { IsGuest: false } worker && worker.Pool == this)
        {
            // A worker of this pool needs no gate: it drains its own deque and the ring before
            // it exits, so its jobs cannot be stranded by Dispose.
            DetachedJob<TWork> local = JobCaches<DetachedJob<TWork>>.Rent(this);
            local.Load(work);
            if (!worker.TryPushSpawned(local))
            {
                // Deque full: later, not now (the job may wait for what this caller does next).
                InjectFromWorker(context, local);
            }

            return;
        }

        DetachedJob<TWork> job = JobCaches<DetachedJob<TWork>>.Rent(this);
        job.Load(work);
        if (!PublishFromOutside(context, job))
        {
            // Disposed (before, or while this thread waited for room in the ring): not published.
            job.Unload();
            ThrowDisposed();
        }
    }
}
