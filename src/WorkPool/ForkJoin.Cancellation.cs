namespace WorkPool;

// The token forms of Install, Join, Spawn and Broadcast on the current pool (see ForkJoin.cs).
public static partial class ForkJoin
{
    /// <inheritdoc cref="WorkStealingPool.Install(Action, CancellationToken)"/>
    public static void Install(Action action, CancellationToken cancellationToken) => CurrentPool.Install(action, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Install{TResult}(Func{TResult}, CancellationToken)"/>
    public static TResult Install<TResult>(Func<TResult> function, CancellationToken cancellationToken) => CurrentPool.Install(function, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Install{TState}(TState, Action{TState}, CancellationToken)"/>
    public static void Install<TState>(TState state, Action<TState> action, CancellationToken cancellationToken) => CurrentPool.Install(state, action, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Install{TState, TResult}(TState, Func{TState, TResult}, CancellationToken)"/>
    public static TResult Install<TState, TResult>(TState state, Func<TState, TResult> function, CancellationToken cancellationToken) => CurrentPool.Install(state, function, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Install{TWork}(ref TWork, CancellationToken)"/>
    public static void Install<TWork>(ref TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork => CurrentPool.Install(ref work, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Install{TWork, TResult}(TWork, CancellationToken)"/>
    public static TResult Install<TWork, TResult>(TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork<TResult> => CurrentPool.Install<TWork, TResult>(work, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join(Action, Action, CancellationToken)"/>
    public static void Join(Action a, Action b, CancellationToken cancellationToken) => CurrentPool.Join(a, b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join{TResultA, TResultB}(Func{TResultA}, Func{TResultB}, CancellationToken)"/>
    public static (TResultA A, TResultB B) Join<TResultA, TResultB>(Func<TResultA> a, Func<TResultB> b, CancellationToken cancellationToken) => CurrentPool.Join(a, b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join{TState}(TState, Action{TState}, Action{TState}, CancellationToken)"/>
    public static void Join<TState>(TState state, Action<TState> a, Action<TState> b, CancellationToken cancellationToken) => CurrentPool.Join(state, a, b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join{TState, TResultA, TResultB}(TState, Func{TState, TResultA}, Func{TState, TResultB}, CancellationToken)"/>
    public static (TResultA A, TResultB B) Join<TState, TResultA, TResultB>(TState state, Func<TState, TResultA> a, Func<TState, TResultB> b, CancellationToken cancellationToken) => CurrentPool.Join(state, a, b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join{TA, TB}(ref TA, ref TB, CancellationToken)"/>
    public static void Join<TA, TB>(ref TA a, ref TB b, CancellationToken cancellationToken)
        where TA : struct, IWork
        where TB : struct, IWork => CurrentPool.Join(ref a, ref b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Join{TA, TB, TResultA, TResultB}(TA, TB, CancellationToken)"/>
    public static (TResultA A, TResultB B) Join<TA, TB, TResultA, TResultB>(TA a, TB b, CancellationToken cancellationToken)
        where TA : struct, IWork<TResultA>
        where TB : struct, IWork<TResultB> => CurrentPool.Join<TA, TB, TResultA, TResultB>(a, b, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Spawn(Action, CancellationToken)"/>
    public static void Spawn(Action job, CancellationToken cancellationToken) => CurrentPool.Spawn(job, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Spawn{TState}(TState, Action{TState}, CancellationToken)"/>
    public static void Spawn<TState>(TState state, Action<TState> job, CancellationToken cancellationToken) => CurrentPool.Spawn(state, job, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Spawn{TWork}(TWork, CancellationToken)"/>
    public static void Spawn<TWork>(TWork job, CancellationToken cancellationToken)
        where TWork : struct, IWork => CurrentPool.Spawn(job, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Broadcast(Action{int}, CancellationToken)"/>
    public static void Broadcast(Action<int> body, CancellationToken cancellationToken) => CurrentPool.Broadcast(body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Broadcast{TState}(TState, Action{TState, int}, CancellationToken)"/>
    public static void Broadcast<TState>(TState state, Action<TState, int> body, CancellationToken cancellationToken) => CurrentPool.Broadcast(state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Broadcast{TWork}(ref TWork, CancellationToken)"/>
    public static void Broadcast<TWork>(ref TWork work, CancellationToken cancellationToken)
        where TWork : struct, IWork => CurrentPool.Broadcast(ref work, cancellationToken);
}
