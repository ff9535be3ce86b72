using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="a"/> and <paramref name="b"/>, potentially in parallel, and returns
    /// when both have finished. On a worker of this pool, <paramref name="b"/> is offered to
    /// thieves while the caller runs <paramref name="a"/>, and taken back and run inline if nobody
    /// stole it. From any other thread, the Join is installed into the pool first (see
    /// <see cref="Install(Action)"/>).
    /// </summary>
    /// <param name="a">The first half, run by the calling worker.</param>
    /// <param name="b">The second half, which another worker may steal.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="AggregateException">
    /// Both halves threw: its <see cref="AggregateException.InnerExceptions"/> hold the exception of
    /// <paramref name="a"/>, then that of <paramref name="b"/> (flat: an AggregateException the pool
    /// made for a nested operation contributes its inner exceptions). When only one half throws,
    /// that exception itself is rethrown, with its original stack trace, after the other half
    /// finished. The same whether <paramref name="b"/> ran inline or on another thread
    /// (docs/exceptions.md).
    /// </exception>
    public void Join(Action a, Action b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new ActionBody(a);
        var bodyB = new ActionBody(b);
        JoinCore(ref bodyA, ref bodyB);
    }

    /// <summary>Runs two functions, potentially in parallel, and returns both results; see <see cref="Join(Action, Action)"/> (including how exceptions are reported).</summary>
    /// <typeparam name="TResultA">The result type of <paramref name="a"/>.</typeparam>
    /// <typeparam name="TResultB">The result type of <paramref name="b"/>.</typeparam>
    /// <param name="a">The first half. Allocation-free when it captures nothing.</param>
    /// <param name="b">The second half. Allocation-free when it captures nothing.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public (TResultA A, TResultB B) Join<TResultA, TResultB>(Func<TResultA> a, Func<TResultB> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new FuncBody<TResultA>(a);
        var bodyB = new FuncBody<TResultB>(b);
        JoinCore(ref bodyA, ref bodyB);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>
    /// Runs <paramref name="a"/>(<paramref name="state"/>) and <paramref name="b"/>(<paramref name="state"/>),
    /// potentially in parallel; see <see cref="Join(Action, Action)"/>. With <c>static</c> lambdas
    /// this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to both halves.</typeparam>
    /// <param name="state">Passed to both halves.</param>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public void Join<TState>(TState state, Action<TState> a, Action<TState> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new StateActionBody<TState>(state, a);
        var bodyB = new StateActionBody<TState>(state, b);
        JoinCore(ref bodyA, ref bodyB);
    }

    /// <summary>
    /// Runs <paramref name="a"/>(<paramref name="state"/>) and <paramref name="b"/>(<paramref name="state"/>),
    /// potentially in parallel, and returns both results; see <see cref="Join(Action, Action)"/>.
    /// With <c>static</c> lambdas this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to both halves.</typeparam>
    /// <typeparam name="TResultA">The result type of <paramref name="a"/>.</typeparam>
    /// <typeparam name="TResultB">The result type of <paramref name="b"/>.</typeparam>
    /// <param name="state">Passed to both halves.</param>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public (TResultA A, TResultB B) Join<TState, TResultA, TResultB>(TState state, Func<TState, TResultA> a, Func<TState, TResultB> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new StateFuncBody<TState, TResultA>(state, a);
        var bodyB = new StateFuncBody<TState, TResultB>(state, b);
        JoinCore(ref bodyA, ref bodyB);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>
    /// Runs two struct bodies, potentially in parallel; see <see cref="Join(Action, Action)"/>.
    /// Allocation-free, and the JIT can inline both bodies. Each body's final state (the fields
    /// it assigned) is visible in <paramref name="a"/> and <paramref name="b"/> afterwards.
    /// </summary>
    /// <typeparam name="TA">The first body type.</typeparam>
    /// <typeparam name="TB">The second body type.</typeparam>
    /// <param name="a">The first half, run by the calling worker.</param>
    /// <param name="b">The second half, which another worker may steal.</param>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        JoinCore(ref a, ref b);
    }

    /// <summary>
    /// Runs two result-returning struct bodies, potentially in parallel, and returns both results;
    /// see <see cref="Join(Action, Action)"/>. Allocation-free. C# cannot infer the result types,
    /// so name all four type arguments.
    /// </summary>
    /// <typeparam name="TA">The first body type.</typeparam>
    /// <typeparam name="TB">The second body type.</typeparam>
    /// <typeparam name="TResultA">The result type of <paramref name="a"/>.</typeparam>
    /// <typeparam name="TResultB">The result type of <paramref name="b"/>.</typeparam>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public (TResultA A, TResultB B) Join<TA, TB, TResultA, TResultB>(TA a, TB b)
        where TA : struct, IWork<TResultA>
        where TB : struct, IWork<TResultB>
    {
        var bodyA = new ResultBody<TA, TResultA>(a);
        var bodyB = new ResultBody<TB, TResultB>(b);
        JoinCore(ref bodyA, ref bodyB);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>
    /// Runs <paramref name="a"/> and <paramref name="b"/>, potentially in parallel, and returns
    /// when both have finished; see <see cref="Join(Action, Action)"/>. Canceled before the call,
    /// neither runs; canceled before <paramref name="b"/> starts (inline after
    /// <paramref name="a"/>, or on the participant that took it), <paramref name="b"/> is skipped.
    /// </summary>
    /// <param name="a">The first half, run by the calling thread (or, from outside the pool without a free guest slot, by the worker that runs the Join).</param>
    /// <param name="b">The second half.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/> (and <paramref name="a"/> did not throw).</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public void Join(Action a, Action b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new ActionBody(a);
        var bodyB = new ActionBody(b);
        JoinCancelable(ref bodyA, ref bodyB, cancellationToken);
    }

    /// <summary>Runs <paramref name="a"/> and <paramref name="b"/>, potentially in parallel, and returns both results, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Join(Action, Action, CancellationToken)"/>.</summary>
    /// <typeparam name="TResultA">The type of <paramref name="a"/>'s result.</typeparam>
    /// <typeparam name="TResultB">The type of <paramref name="b"/>'s result.</typeparam>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/>.</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public (TResultA A, TResultB B) Join<TResultA, TResultB>(Func<TResultA> a, Func<TResultB> b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new FuncBody<TResultA>(a);
        var bodyB = new FuncBody<TResultB>(b);
        JoinCancelable(ref bodyA, ref bodyB, cancellationToken);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>Runs <paramref name="a"/>(<paramref name="state"/>) and <paramref name="b"/>(<paramref name="state"/>), potentially in parallel, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Join(Action, Action, CancellationToken)"/>. With <c>static</c> lambdas it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to both halves.</typeparam>
    /// <param name="state">Passed to both halves.</param>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/>.</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public void Join<TState>(TState state, Action<TState> a, Action<TState> b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new StateActionBody<TState>(state, a);
        var bodyB = new StateActionBody<TState>(state, b);
        JoinCancelable(ref bodyA, ref bodyB, cancellationToken);
    }

    /// <summary>Runs <paramref name="a"/>(<paramref name="state"/>) and <paramref name="b"/>(<paramref name="state"/>), potentially in parallel, and returns both results, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Join(Action, Action, CancellationToken)"/>. With <c>static</c> lambdas it is allocation-free.</summary>
    /// <typeparam name="TState">The type of the state passed to both halves.</typeparam>
    /// <typeparam name="TResultA">The type of <paramref name="a"/>'s result.</typeparam>
    /// <typeparam name="TResultB">The type of <paramref name="b"/>'s result.</typeparam>
    /// <param name="state">Passed to both halves.</param>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/>.</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public (TResultA A, TResultB B) Join<TState, TResultA, TResultB>(TState state, Func<TState, TResultA> a, Func<TState, TResultB> b, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var bodyA = new StateFuncBody<TState, TResultA>(state, a);
        var bodyB = new StateFuncBody<TState, TResultB>(state, b);
        JoinCancelable(ref bodyA, ref bodyB, cancellationToken);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>Runs the struct bodies <paramref name="a"/> and <paramref name="b"/>, potentially in parallel, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Join{TA, TB}(ref TA, ref TB)"/> and <see cref="Join(Action, Action, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TA">The first half's type.</typeparam>
    /// <typeparam name="TB">The second half's type.</typeparam>
    /// <param name="a">The first half, updated with its final state.</param>
    /// <param name="b">The second half, updated with its final state.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/>.</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public void Join<TA, TB>(ref TA a, ref TB b, CancellationToken cancellationToken)
        where TA : struct, IWork
        where TB : struct, IWork => JoinCancelable(ref a, ref b, cancellationToken);

    /// <summary>Runs the result-returning struct bodies <paramref name="a"/> and <paramref name="b"/>, potentially in parallel, and returns both results, unless <paramref name="cancellationToken"/> is canceled first; see <see cref="Join(Action, Action, CancellationToken)"/>. Allocation-free.</summary>
    /// <typeparam name="TA">The first half's type.</typeparam>
    /// <typeparam name="TB">The second half's type.</typeparam>
    /// <typeparam name="TResultA">The type of <paramref name="a"/>'s result.</typeparam>
    /// <typeparam name="TResultB">The type of <paramref name="b"/>'s result.</typeparam>
    /// <param name="a">The first half.</param>
    /// <param name="b">The second half.</param>
    /// <param name="cancellationToken">Skips the halves that have not started when it is canceled.</param>
    /// <returns>The results of <paramref name="a"/> and <paramref name="b"/>.</returns>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was canceled before the call, or skipped <paramref name="b"/>.</exception>
    /// <exception cref="AggregateException">Both halves threw.</exception>
    public (TResultA A, TResultB B) Join<TA, TB, TResultA, TResultB>(TA a, TB b, CancellationToken cancellationToken)
        where TA : struct, IWork<TResultA>
        where TB : struct, IWork<TResultB>
    {
        var bodyA = new ResultBody<TA, TResultA>(a);
        var bodyB = new ResultBody<TB, TResultB>(b);
        JoinCancelable(ref bodyA, ref bodyB, cancellationToken);
        return (bodyA.Result, bodyB.Result);
    }

    /// <summary>The token forms of Join: nothing runs when the token is already canceled; B skips itself if it is canceled before B starts (A has started: it is the calling thread's own call).</summary>
    private void JoinCancelable<TA, TB>(ref TA a, ref TB b, CancellationToken cancellationToken)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cancelableB = new CancelableBody<TB>(b, cancellationToken);
        try
        {
            JoinCore(ref a, ref cancelableB);
        }
        finally
        {
            b = cancelableB.Work;
        }

        if (cancelableB.Skipped)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private void JoinCore<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        if (ThreadContext.CurrentOrNull?.Participant is { } participant && participant.Pool == this)
        {
            participant.Join(ref a, ref b);
            return;
        }

        var body = new JoinBody<TA, TB>(a, b);
        ExceptionDispatchInfo? error;
        try
        {
            error = InstallCore(ref body);
        }
        finally
        {
            a = body.A;
            b = body.B;
        }

        error?.Throw();
    }
}
