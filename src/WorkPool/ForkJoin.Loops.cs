using System.Runtime.CompilerServices;

namespace WorkPool;

// The static counterparts of the loop forms added after For: ForEach, reductions and loops
// with Break/Stop. Each acts on CurrentPool, exactly like the instance method of the same shape.
public static partial class ForkJoin
{
    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(T[], Action{T}, CancellationToken)"/>
    public static void ForEach<T>(T[] source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(ArraySegment{T}, Action{T}, CancellationToken)"/>
    public static void ForEach<T>(ArraySegment<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(Memory{T}, Action{T}, CancellationToken)"/>
    public static void ForEach<T>(Memory<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(ReadOnlyMemory{T}, Action{T}, CancellationToken)"/>
    public static void ForEach<T>(ReadOnlyMemory<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(T[] source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(ArraySegment{T}, TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(ArraySegment<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(Memory{T}, TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(Memory<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(ReadOnlyMemory{T}, TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(ReadOnlyMemory<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(T[] source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(ArraySegment{T}, ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(ArraySegment<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(Memory{T}, ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(Memory<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(ReadOnlyMemory{T}, ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(ReadOnlyMemory<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(List{T}, Action{T}, CancellationToken)"/>
    public static void ForEach<T>(List<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(IReadOnlyList{T}, Action{T}, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public static void ForEach<T>(IReadOnlyList<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T}(IList{T}, Action{T}, CancellationToken)"/>
    public static void ForEach<T>(IList<T> source, Action<T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(List{T}, TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(List<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(IReadOnlyList{T}, TState, Action{TState, T}, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public static void ForEach<T, TState>(IReadOnlyList<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TState}(IList{T}, TState, Action{TState, T}, CancellationToken)"/>
    public static void ForEach<T, TState>(IList<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) => CurrentPool.ForEach(source, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(List{T}, ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(List<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(IReadOnlyList{T}, ref TBody, int, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public static void ForEach<T, TBody>(IReadOnlyList<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.ForEach{T, TBody}(IList{T}, ref TBody, int, CancellationToken)"/>
    public static void ForEach<T, TBody>(IList<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T> => CurrentPool.ForEach(source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TReducer, TResult}(long, long, TReducer, long, bool, CancellationToken)"/>
    public static TResult Reduce<TReducer, TResult>(long fromInclusive, long toExclusive, TReducer reducer, long minChunkLength = 1, bool deterministic = false, CancellationToken cancellationToken = default)
        where TReducer : struct, IRangeReducer<TResult> => CurrentPool.Reduce<TReducer, TResult>(fromInclusive, toExclusive, reducer, minChunkLength, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TReducer, TResult}(int, int, TReducer, int, bool, CancellationToken)"/>
    public static TResult Reduce<TReducer, TResult>(int fromInclusive, int toExclusive, TReducer reducer, int minChunkLength = 1, bool deterministic = false, CancellationToken cancellationToken = default)
        where TReducer : struct, IRangeReducer<TResult> => CurrentPool.Reduce<TReducer, TResult>(fromInclusive, toExclusive, reducer, minChunkLength, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TResult}(int, int, TResult, Func{TResult, int, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>
    public static TResult Reduce<TResult>(int fromInclusive, int toExclusive, TResult identity, Func<TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default) =>
        CurrentPool.Reduce(fromInclusive, toExclusive, identity, accumulate, combine, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TState, TResult}(int, int, TState, TResult, Func{TState, TResult, int, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>
    public static TResult Reduce<TState, TResult>(int fromInclusive, int toExclusive, TState state, TResult identity, Func<TState, TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default) =>
        CurrentPool.Reduce(fromInclusive, toExclusive, state, identity, accumulate, combine, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TResult}(long, long, TResult, Func{TResult, long, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>
    public static TResult Reduce<TResult>(long fromInclusive, long toExclusive, TResult identity, Func<TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default) =>
        CurrentPool.Reduce(fromInclusive, toExclusive, identity, accumulate, combine, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.Reduce{TState, TResult}(long, long, TState, TResult, Func{TState, TResult, long, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>
    public static TResult Reduce<TState, TResult>(long fromInclusive, long toExclusive, TState state, TResult identity, Func<TState, TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default) =>
        CurrentPool.Reduce(fromInclusive, toExclusive, state, identity, accumulate, combine, deterministic, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For(int, int, ControlledForAction, CancellationToken)"/>
    public static LoopResult For(int fromInclusive, int toExclusive, ControlledForAction body, CancellationToken cancellationToken = default) =>
        CurrentPool.For(fromInclusive, toExclusive, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For(long, long, LongControlledForAction, CancellationToken)"/>
    public static LoopResult For(long fromInclusive, long toExclusive, LongControlledForAction body, CancellationToken cancellationToken = default) =>
        CurrentPool.For(fromInclusive, toExclusive, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TState}(int, int, TState, ControlledForAction{TState}, CancellationToken)"/>
    public static LoopResult For<TState>(int fromInclusive, int toExclusive, TState state, ControlledForAction<TState> body, CancellationToken cancellationToken = default) =>
        CurrentPool.For(fromInclusive, toExclusive, state, body, cancellationToken);

    /// <inheritdoc cref="WorkStealingPool.For{TState}(long, long, TState, LongControlledForAction{TState}, CancellationToken)"/>
    public static LoopResult For<TState>(long fromInclusive, long toExclusive, TState state, LongControlledForAction<TState> body, CancellationToken cancellationToken = default) =>
        CurrentPool.For(fromInclusive, toExclusive, state, body, cancellationToken);
}
