namespace WorkPool;

/// <summary>
/// Static entry points that act on the pool of the calling worker, or on
/// <see cref="WorkStealingPool.Default"/> when called from a thread outside every pool, so a job
/// can fork more work without capturing a pool reference. Each method behaves exactly like the
/// instance method of the same shape on that pool (same allocation-free forms, same exceptions).
/// </summary>
public static partial class ForkJoin
{
    /// <summary>The pool these methods act on from the calling thread.</summary>
    public static WorkStealingPool CurrentPool => WorkStealingPool.Current ?? WorkStealingPool.Default;

    /// <inheritdoc cref="WorkStealingPool.Install(Action)"/>
    public static void Install(Action action) => CurrentPool.Install(action);

    /// <inheritdoc cref="WorkStealingPool.Install{TResult}(Func{TResult})"/>
    public static TResult Install<TResult>(Func<TResult> function) => CurrentPool.Install(function);

    /// <inheritdoc cref="WorkStealingPool.Install{TState}(TState, Action{TState})"/>
    public static void Install<TState>(TState state, Action<TState> action) => CurrentPool.Install(state, action);

    /// <inheritdoc cref="WorkStealingPool.Install{TState, TResult}(TState, Func{TState, TResult})"/>
    public static TResult Install<TState, TResult>(TState state, Func<TState, TResult> function) => CurrentPool.Install(state, function);

    /// <inheritdoc cref="WorkStealingPool.Install{TWork}(ref TWork)"/>
    public static void Install<TWork>(ref TWork work)
        where TWork : struct, IWork => CurrentPool.Install(ref work);

    /// <inheritdoc cref="WorkStealingPool.Install{TWork, TResult}(TWork)"/>
    public static TResult Install<TWork, TResult>(TWork work)
        where TWork : struct, IWork<TResult> => CurrentPool.Install<TWork, TResult>(work);

    /// <inheritdoc cref="WorkStealingPool.Join(Action, Action)"/>
    public static void Join(Action a, Action b) => CurrentPool.Join(a, b);

    /// <inheritdoc cref="WorkStealingPool.Invoke(ReadOnlySpan{Action})"/>
    public static void Invoke(params ReadOnlySpan<Action> actions) => CurrentPool.Invoke(actions);

    /// <inheritdoc cref="WorkStealingPool.Invoke{TState}(TState, ReadOnlySpan{Action{TState}})"/>
    public static void Invoke<TState>(TState state, ReadOnlySpan<Action<TState>> actions) => CurrentPool.Invoke(state, actions);

    /// <inheritdoc cref="WorkStealingPool.Invoke{TWork}(Span{TWork})"/>
    public static void Invoke<TWork>(Span<TWork> works)
        where TWork : struct, IWork => CurrentPool.Invoke(works);

    /// <inheritdoc cref="WorkStealingPool.Join{TResultA, TResultB}(Func{TResultA}, Func{TResultB})"/>
    public static (TResultA A, TResultB B) Join<TResultA, TResultB>(Func<TResultA> a, Func<TResultB> b) => CurrentPool.Join(a, b);

    /// <inheritdoc cref="WorkStealingPool.Join{TState}(TState, Action{TState}, Action{TState})"/>
    public static void Join<TState>(TState state, Action<TState> a, Action<TState> b) => CurrentPool.Join(state, a, b);

    /// <inheritdoc cref="WorkStealingPool.Join{TState, TResultA, TResultB}(TState, Func{TState, TResultA}, Func{TState, TResultB})"/>
    public static (TResultA A, TResultB B) Join<TState, TResultA, TResultB>(TState state, Func<TState, TResultA> a, Func<TState, TResultB> b) => CurrentPool.Join(state, a, b);

    /// <inheritdoc cref="WorkStealingPool.Join{TA, TB}(ref TA, ref TB)"/>
    public static void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        // The hot path of recursive fork-join: straight to the calling worker, one TLS read.
        if (ThreadContext.CurrentOrNull?.Participant is { } worker)
        {
            worker.Join(ref a, ref b);
        }
        else
        {
            CurrentPool.Join(ref a, ref b);
        }
    }

    /// <inheritdoc cref="WorkStealingPool.Join{TA, TB, TResultA, TResultB}(TA, TB)"/>
    public static (TResultA A, TResultB B) Join<TA, TB, TResultA, TResultB>(TA a, TB b)
        where TA : struct, IWork<TResultA>
        where TB : struct, IWork<TResultB> => CurrentPool.Join<TA, TB, TResultA, TResultB>(a, b);

    /// <inheritdoc cref="WorkStealingPool.For(int, int, Action{int}, CancellationToken)"/>
    public static void For(int fromInclusive, int toExclusive, Action<int> body, CancellationToken cancellationToken = default) => CurrentPool.For(fromInclusive, toExclusive, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For(long, long, Action{long}, CancellationToken)"/>
    public static void For(long fromInclusive, long toExclusive, Action<long> body, CancellationToken cancellationToken = default) => CurrentPool.For(fromInclusive, toExclusive, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TState}(int, int, TState, Action{TState, int}, CancellationToken)"/>
    public static void For<TState>(int fromInclusive, int toExclusive, TState state, Action<TState, int> body, CancellationToken cancellationToken = default) => CurrentPool.For(fromInclusive, toExclusive, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TState}(long, long, TState, Action{TState, long}, CancellationToken)"/>
    public static void For<TState>(long fromInclusive, long toExclusive, TState state, Action<TState, long> body, CancellationToken cancellationToken = default) => CurrentPool.For(fromInclusive, toExclusive, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TBody}(int, int, ref TBody, int, CancellationToken)"/>
    public static void For<TBody>(int fromInclusive, int toExclusive, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForBody => CurrentPool.For(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TBody}(long, long, ref TBody, long, CancellationToken)"/>
    public static void For<TBody>(long fromInclusive, long toExclusive, ref TBody body, long minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, ILongForBody => CurrentPool.For(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForRange{TBody}(int, int, ref TBody, int, CancellationToken)"/>
    public static void ForRange<TBody>(int fromInclusive, int toExclusive, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForRangeBody => CurrentPool.ForRange(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForRange{TBody}(long, long, ref TBody, long, CancellationToken)"/>
    public static void ForRange<TBody>(long fromInclusive, long toExclusive, ref TBody body, long minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForRangeBody => CurrentPool.ForRange(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Scope(Action{Scope}, CancellationToken)"/>
    public static void Scope(Action<Scope> body, CancellationToken cancellationToken = default) => CurrentPool.Scope(body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Scope{TState}(TState, Action{TState, Scope}, CancellationToken)"/>
    public static void Scope<TState>(TState state, Action<TState, Scope> body, CancellationToken cancellationToken = default) => CurrentPool.Scope(state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Scope{TBody}(ref TBody, CancellationToken)"/>
    public static void Scope<TBody>(ref TBody body, CancellationToken cancellationToken = default)
        where TBody : struct, IScopeWork => CurrentPool.Scope(ref body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Spawn(Action)"/>
    public static void Spawn(Action job) => CurrentPool.Spawn(job);

    /// <inheritdoc cref="WorkStealingPool.Spawn{TState}(TState, Action{TState})"/>
    public static void Spawn<TState>(TState state, Action<TState> job) => CurrentPool.Spawn(state, job);

    /// <inheritdoc cref="WorkStealingPool.Spawn{TWork}(TWork)"/>
    public static void Spawn<TWork>(TWork job)
        where TWork : struct, IWork => CurrentPool.Spawn(job);

    /// <inheritdoc cref="WorkStealingPool.Broadcast(Action{int})"/>
    public static void Broadcast(Action<int> body) => CurrentPool.Broadcast(body);

    /// <inheritdoc cref="WorkStealingPool.Broadcast{TState}(TState, Action{TState, int})"/>
    public static void Broadcast<TState>(TState state, Action<TState, int> body) => CurrentPool.Broadcast(state, body);

    /// <inheritdoc cref="WorkStealingPool.Broadcast{TWork}(ref TWork)"/>
    public static void Broadcast<TWork>(ref TWork work)
        where TWork : struct, IWork => CurrentPool.Broadcast(ref work);
}
