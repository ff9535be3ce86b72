using System.Runtime.CompilerServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="body"/> once on every worker of this pool, with the worker's index
    /// (0 to <see cref="ThreadCount"/> − 1), and waits until all have finished: for per-thread
    /// setup, or to read per-thread state. Called from a worker of this pool, that worker runs
    /// its own part right away and helps with other work while it waits.
    /// </summary>
    /// <param name="body">The work, called with the worker index. Allocation-free when it captures nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers: every exception, in worker order (always an <see cref="AggregateException"/>, however many threw; see docs/exceptions.md).</exception>
    /// <remarks>
    /// A worker runs its part when it next looks for work, before its own queued jobs: a
    /// worker busy in a long job delays the broadcast until that job ends, or until it waits
    /// (in a Join, a scope or an Install), which also runs its part.
    /// </remarks>
    public void Broadcast(Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new BroadcastActionBody(body);
        BroadcastCore(ref work);
    }

    /// <summary>Runs <paramref name="body"/>(<paramref name="state"/>, worker index) once on every worker and waits; see <see cref="Broadcast(Action{int})"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the body.</typeparam>
    /// <param name="state">Passed to <paramref name="body"/>.</param>
    /// <param name="body">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers.</exception>
    public void Broadcast<TState>(TState state, Action<TState, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new BroadcastStateBody<TState>(state, body);
        BroadcastCore(ref work);
    }

    /// <summary>
    /// Runs the struct body <paramref name="work"/> once on every worker and waits; see
    /// <see cref="Broadcast(Action{int})"/>. Allocation-free. Every worker runs the same instance
    /// at the same time (its <see cref="ForkContext.WorkerIndex"/> tells them apart), so the body
    /// should write results into per-worker storage, not into its own fields; the instance's final
    /// state is copied back into <paramref name="work"/>.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, passed by reference.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers.</exception>
    public void Broadcast<TWork>(ref TWork work)
        where TWork : struct, IWork => BroadcastCore(ref work);

    /// <summary>
    /// Runs <paramref name="body"/> once on every worker and waits, unless
    /// <paramref name="cancellationToken"/> is canceled first; see <see cref="Broadcast(Action{int})"/>.
    /// A worker whose part has not started when the token is canceled skips it.
    /// </summary>
    /// <param name="body">The work, called with the worker index.</param>
    /// <param name="cancellationToken">Skips the parts that have not started when it is canceled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped a part (and no part threw).</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers.</exception>
    public void Broadcast(Action<int> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new BroadcastActionBody(body);
        BroadcastCancelable(ref work, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/>(<paramref name="state"/>, worker index) once on every worker and waits, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Broadcast(Action{int}, CancellationToken)"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the body.</typeparam>
    /// <param name="state">Passed to <paramref name="body"/>.</param>
    /// <param name="body">The work.</param>
    /// <param name="cancellationToken">Skips the parts that have not started when it is canceled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped a part (and no part threw).</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers.</exception>
    public void Broadcast<TState>(TState state, Action<TState, int> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var work = new BroadcastStateBody<TState>(state, body);
        BroadcastCancelable(ref work, cancellationToken);
    }

    /// <summary>Runs the struct body <paramref name="work"/> once on every worker and waits, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Broadcast{TWork}(ref TWork)"/> and <see cref="Broadcast(Action{int}, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, passed by reference.</param>
    /// <param name="cancellationToken">Skips the parts that have not started when it is canceled.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped a part (and no part threw).</exception>
    /// <exception cref="AggregateException">The body threw on one or more workers.</exception>
    public void Broadcast<TWork>(ref TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork => BroadcastCancelable(ref work, cancellationToken);

    /// <summary>The token forms: nothing runs when <paramref name="cancellationToken"/> is already canceled; a worker whose part has not started when it is canceled skips it.</summary>
    private void BroadcastCancelable<TWork>(ref TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork
    {
        cancellationToken.ThrowIfCancellationRequested();
        var body = new CancelableBody<TWork>(work, cancellationToken);
        try
        {
            BroadcastCore(ref body, cancellationToken);
        }
        finally
        {
            work = body.Work;
        }

        if (body.Skipped)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private unsafe void BroadcastCore<TWork>(ref TWork work, CancellationToken cancellationToken = default)
        where TWork : struct, IWork
    {
        // The workers run the body in place through a pointer, so it must not move: a local of
        // this frame, which stays alive until every worker is done with it.
        TWork local = work;
        try
        {
            BroadcastFromStack(Unsafe.AsPointer(ref local), &FrameJob.RunBody<TWork>, cancellationToken);
        }
        finally
        {
            work = local;
        }
    }

    private unsafe void BroadcastFromStack(void* body, delegate*<void*, Participant, void> run, CancellationToken cancellationToken)
    {
        ThreadContext context = ThreadContext.Current;
        bool isParticipant = IsParticipantOfThisPool(context);
        Participant? self = isParticipant && !context.Participant!.IsGuest ? context.Participant : null;
        int depth = context.BroadcastDepth;
        BroadcastRequest request = context.BroadcastAt(depth);
        if (!TryEnterGate())
        {
            // Even a worker of this pool: after Dispose began, a worker that already left its
            // loop would never run its part.
            ThrowDisposed();
        }

        context.BroadcastDepth = depth + 1;
        try
        {
            try
            {
                request.Prepare(_workers.Length, body, run);
                foreach (Participant worker in _workers)
                {
                    if (worker != self)
                    {
                        worker.Deliver(request.Task(worker.Index));
                    }
                }
            }
            finally
            {
                ExitGate();
            }

            foreach (Participant worker in _workers)
            {
                if (worker != self)
                {
                    _sleepers.WakeWorker(worker);
                }
            }

            if (self is not null)
            {
                request.RunOn(request.Task(self.Index), self);
            }

            // The workers use this stack's body until they are done: no early exit, even on interrupt.
            var done = new BroadcastDone(request);
            context.WaitUninterruptibly(ref done, _options.SpinCount, isolated: isParticipant);
        }
        finally
        {
            context.BroadcastDepth = depth;
        }

        request.ThrowErrors(_workers.Length, cancellationToken);
    }
}
