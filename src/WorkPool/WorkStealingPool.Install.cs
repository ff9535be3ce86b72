using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="action"/> in this pool and waits for it. Called from a thread outside
    /// every pool, the calling thread runs it itself as a guest of the pool (see
    /// <see cref="WorkStealingPoolOptions.GuestSlots"/>): the work's Joins, loops and spawns are
    /// shared with idle workers, and <see cref="Current"/> is this pool inside it. When no guest
    /// slot is free, a worker runs it. Called from a worker of this pool (or inside a guest
    /// call), it is a plain call. Called from a worker of another pool, a worker of this pool
    /// runs it while the caller keeps running its own pool's jobs.
    /// </summary>
    /// <param name="action">The work. Allocation-free when it captures nothing (a <c>static</c> lambda or a cached delegate).</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <remarks>An exception thrown by <paramref name="action"/> is rethrown here with its original stack trace.</remarks>
    public void Install(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new ActionBody(action);
        InstallCore(ref body)?.Throw();
    }

    /// <summary>Runs <paramref name="function"/> on a worker of this pool, waits for it and returns its result; see <see cref="Install(Action)"/>.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The work. Allocation-free when it captures nothing.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TResult>(Func<TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new FuncBody<TResult>(function);
        InstallCore(ref body)?.Throw();
        return body.Result;
    }

    /// <summary>
    /// Runs <paramref name="action"/>(<paramref name="state"/>) on a worker of this pool and waits
    /// for it; see <see cref="Install(Action)"/>. With a <c>static</c> lambda this form needs no
    /// closure and is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="action">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public void Install<TState>(TState state, Action<TState> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new StateActionBody<TState>(state, action);
        InstallCore(ref body)?.Throw();
    }

    /// <summary>
    /// Runs <paramref name="function"/>(<paramref name="state"/>) on a worker of this pool, waits
    /// for it and returns its result; see <see cref="Install(Action)"/>. With a <c>static</c>
    /// lambda this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the function.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">Passed to <paramref name="function"/>.</param>
    /// <param name="function">The work.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TState, TResult>(TState state, Func<TState, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new StateFuncBody<TState, TResult>(state, function);
        InstallCore(ref body)?.Throw();
        return body.Result;
    }

    /// <summary>
    /// Runs the struct body <paramref name="work"/> on a worker of this pool and waits for it;
    /// see <see cref="Install(Action)"/>. Allocation-free. The body runs on a copy that is copied
    /// back, so fields it assigned (its results) are visible in <paramref name="work"/> afterwards.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, passed by reference and updated with the body's final state.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public void Install<TWork>(ref TWork work)
        where TWork : struct, IWork
    {
        InstallCore(ref work)?.Throw();
    }

    /// <summary>
    /// Runs the result-returning struct body <paramref name="work"/> on a worker of this pool,
    /// waits for it and returns its result; see <see cref="Install(Action)"/>. Allocation-free.
    /// C# cannot infer <typeparamref name="TResult"/>, so name both type arguments.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="work">The body.</param>
    /// <returns>The value the body's <see cref="IWork{TResult}.Run"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TWork, TResult>(TWork work)
        where TWork : struct, IWork<TResult>
    {
        var body = new ResultBody<TWork, TResult>(work);
        InstallCore(ref body)?.Throw();
        return body.Result;
    }

    /// <summary>
    /// Runs <paramref name="action"/> in this pool and waits for it, unless
    /// <paramref name="cancellationToken"/> is canceled before the work starts; see
    /// <see cref="Install(Action)"/>. Canceled before the call, nothing runs; canceled while the
    /// work waits for a worker (when it cannot run on the calling thread), the worker skips it.
    /// Once the work has started, the token is the work's own business.
    /// </summary>
    /// <param name="action">The work. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public void Install(Action action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new CancelableBody<ActionBody>(new ActionBody(action), cancellationToken);
        InstallCancelable(ref body, cancellationToken);
    }

    /// <summary>Runs <paramref name="function"/> in this pool, waits for it and returns its result, unless <paramref name="cancellationToken"/> is canceled before it starts; see <see cref="Install(Action, CancellationToken)"/>.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The work.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public TResult Install<TResult>(Func<TResult> function, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new CancelableBody<FuncBody<TResult>>(new FuncBody<TResult>(function), cancellationToken);
        InstallCancelable(ref body, cancellationToken);
        return body.Work.Result;
    }

    /// <summary>Runs <paramref name="action"/>(<paramref name="state"/>) in this pool and waits for it, unless <paramref name="cancellationToken"/> is canceled before it starts; see <see cref="Install(Action, CancellationToken)"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="action">The work.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public void Install<TState>(TState state, Action<TState> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new CancelableBody<StateActionBody<TState>>(new StateActionBody<TState>(state, action), cancellationToken);
        InstallCancelable(ref body, cancellationToken);
    }

    /// <summary>Runs <paramref name="function"/>(<paramref name="state"/>) in this pool, waits for it and returns its result, unless <paramref name="cancellationToken"/> is canceled before it starts; see <see cref="Install(Action, CancellationToken)"/>. With a <c>static</c> lambda it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to the function.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">Passed to <paramref name="function"/>.</param>
    /// <param name="function">The work.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public TResult Install<TState, TResult>(TState state, Func<TState, TResult> function, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new CancelableBody<StateFuncBody<TState, TResult>>(new StateFuncBody<TState, TResult>(state, function), cancellationToken);
        InstallCancelable(ref body, cancellationToken);
        return body.Work.Result;
    }

    /// <summary>Runs the struct body <paramref name="work"/> in this pool and waits for it, unless <paramref name="cancellationToken"/> is canceled before it starts; see <see cref="Install{TWork}(ref TWork)"/> and <see cref="Install(Action, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, passed by reference and updated with the body's final state.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public void Install<TWork>(ref TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork
    {
        var body = new CancelableBody<TWork>(work, cancellationToken);
        try
        {
            InstallCancelable(ref body, cancellationToken);
        }
        finally
        {
            work = body.Work;
        }
    }

    /// <summary>Runs the result-returning struct body <paramref name="work"/> in this pool, waits for it and returns its result, unless <paramref name="cancellationToken"/> is canceled before it starts; see <see cref="Install{TWork, TResult}(TWork)"/> and <see cref="Install(Action, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="work">The body.</param>
    /// <param name="cancellationToken">Skips the work if canceled before it starts.</param>
    /// <returns>The value the body's <see cref="IWork{TResult}.Run"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <exception cref="OperationCanceledException">The token skipped the work.</exception>
    public TResult Install<TWork, TResult>(TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork<TResult>
    {
        var body = new CancelableBody<ResultBody<TWork, TResult>>(new ResultBody<TWork, TResult>(work), cancellationToken);
        InstallCancelable(ref body, cancellationToken);
        return body.Work.Result;
    }

    /// <summary>The token forms of Install: nothing runs when the token is already canceled, and the body skips itself if it is canceled before it starts.</summary>
    private void InstallCancelable<TWork>(ref CancelableBody<TWork> body, CancellationToken cancellationToken)
        where TWork : struct, IWork
    {
        cancellationToken.ThrowIfCancellationRequested();
        InstallCore(ref body)?.Throw();
        if (body.Skipped)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in this pool and waits for it: a plain call on a participant
    /// of this pool; a guest call (the calling thread takes a guest slot and runs the work
    /// itself, see <see cref="GuestSlots"/>) on a thread outside every pool; otherwise (a
    /// participant of another pool, or no guest slot free) the workers run it, through the
    /// injector ring.
    /// </summary>
    /// <returns>
    /// The exception the work threw when a worker ran it, for the caller to rethrow after it
    /// copied results out of <paramref name="work"/> (which holds the body's final state either
    /// way); when the work ran on this thread its exception propagates as it is.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe ExceptionDispatchInfo? InstallCore<TWork>(ref TWork work)
        where TWork : struct, IWork
    {
        ThreadContext? context = ThreadContext.CurrentOrNull;
        if (context?.Participant is { } participant)
        {
            if (participant.Pool == this)
            {
                // Already a participant of this pool: a plain call, no queue, no latch (but not
                // past the end of the stack: see StackGuard).
                byte local = 0;
                if (participant.GuestNearStackLimit(&local))
                {
                    // A guest low on its own stack: the call goes on on a worker (Participant.Stack.cs).
                    return InstallFromOutside(ref work, participant.OccupantContext);
                }

                participant.EnsureSufficientStack(&local);
                work.Run(new ForkContext(participant));
                return null;
            }
        }
        else
        {
            // The guest's frames lie below this local: Joins in the work may let thieves run
            // second halves in place, on this stack, between here and the Join.
            byte stackTop = 0;
            context ??= ThreadContext.Current; // once per thread: it keeps the stack limit (StackGuard)
            if (_guests.TryEnter(context, &stackTop) is { } guest)
            {
                try
                {
                    // No stack check at the guest's entry (its cost is measured in
                    // docs/design/robustness.md): the work runs on the caller's stack like any
                    // call it makes, and every Join, Install and Scope inside it checks (StackGuard).
                    work.Run(new ForkContext(guest));
                }
                finally
                {
                    GuestSlots.Leave(guest, context);
                }

                return null;
            }
        }

        return InstallFromOutside(ref work, context);
    }
}
