namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>The most pieces a reduction's tree has: fewer pieces, fewer combines; enough for every worker to take several.</summary>
    private const ulong ReductionPieces = 256;

    /// <summary>
    /// Reduces [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) with the struct
    /// reducer <paramref name="reducer"/>, potentially in parallel, and returns the result: pieces
    /// are accumulated from the identity and the partial results combined (see
    /// <see cref="IRangeReducer{TResult}"/>). Allocation-free. C# cannot infer
    /// <typeparamref name="TResult"/>, so name both type arguments.
    /// </summary>
    /// <typeparam name="TReducer">The reducer type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is the identity.</param>
    /// <param name="reducer">The reducer, shared by every piece.</param>
    /// <param name="minChunkLength">Pieces are at least this long (unless the range is shorter). Pieces are also at least 1/256 of the range, so there are never more than 256 partial results in the deterministic mode.</param>
    /// <param name="deterministic">
    /// False (adaptive): called from outside the pool, the calling thread takes part and pieces
    /// are handed out by timing, so <see cref="IRangeReducer{TResult}.Combine"/> must be
    /// commutative as well as associative. True: the range is halved recursively down to pieces
    /// of max(<paramref name="minChunkLength"/>, ⌈length / 256⌉) and the partial results are
    /// combined in index order along that tree, whatever thread ran each piece, so the result
    /// depends only on the range, <paramref name="minChunkLength"/> and the data (a floating-point
    /// sum is bitwise the same on every run); from outside the pool it is installed into the pool
    /// (the caller waits) unless it is a single piece, which the caller runs itself.
    /// </param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more pieces threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TReducer, TResult>(long fromInclusive, long toExclusive, TReducer reducer, long minChunkLength = 1, bool deterministic = false, CancellationToken cancellationToken = default)
        where TReducer : struct, IRangeReducer<TResult>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minChunkLength, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (fromInclusive >= toExclusive)
        {
            return reducer.Identity();
        }

        ulong length = unchecked((ulong)(toExclusive - fromInclusive));
        ulong grain = Math.Max((ulong)minChunkLength, (length / ReductionPieces) + (length % ReductionPieces == 0 ? 0UL : 1UL));
        var body = new ReducerLoopBody<TReducer, TResult>(reducer);
        TResult result = RunLoop<ReducerLoopBody<TReducer, TResult>, TResult>(
            fromInclusive, toExclusive, ref body, grain, deterministic ? LoopShape.Deterministic : LoopShape.Adaptive, cancellationToken, out _);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// Reduces [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) of <see cref="int"/>
    /// indices with the struct reducer <paramref name="reducer"/>; see
    /// <see cref="Reduce{TReducer, TResult}(long, long, TReducer, long, bool, CancellationToken)"/>. Allocation-free.
    /// </summary>
    /// <typeparam name="TReducer">The reducer type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is the identity.</param>
    /// <param name="reducer">The reducer, shared by every piece; the bounds it receives fit in <see cref="int"/>.</param>
    /// <param name="minChunkLength">Pieces are at least this long (unless the range is shorter).</param>
    /// <param name="deterministic">Whether the result must not depend on timing; see the <see cref="long"/> overload.</param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more pieces threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TReducer, TResult>(int fromInclusive, int toExclusive, TReducer reducer, int minChunkLength = 1, bool deterministic = false, CancellationToken cancellationToken = default)
        where TReducer : struct, IRangeReducer<TResult> =>
        Reduce<TReducer, TResult>((long)fromInclusive, toExclusive, reducer, (long)minChunkLength, deterministic, cancellationToken);

    /// <summary>
    /// Reduces [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) one index at a
    /// time: <paramref name="accumulate"/>(accumulator, i) from <paramref name="identity"/> over
    /// each piece, and <paramref name="combine"/> over partial results; see
    /// <see cref="Reduce{TReducer, TResult}(long, long, TReducer, long, bool, CancellationToken)"/>.
    /// Allocation-free when both delegates capture nothing; the state form avoids a closure.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is <paramref name="identity"/>.</param>
    /// <param name="identity">The neutral element of <paramref name="combine"/>.</param>
    /// <param name="accumulate">Adds one index to an accumulator.</param>
    /// <param name="combine">Combines two partial results (associative; also commutative unless <paramref name="deterministic"/>).</param>
    /// <param name="deterministic">Whether the result must not depend on timing.</param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accumulate"/> or <paramref name="combine"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TResult>(int fromInclusive, int toExclusive, TResult identity, Func<TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accumulate);
        ArgumentNullException.ThrowIfNull(combine);
        return Reduce<FuncReducer<TResult>, TResult>(fromInclusive, toExclusive, new FuncReducer<TResult>(identity, accumulate, combine), 1, deterministic, cancellationToken);
    }

    /// <summary>
    /// Reduces [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) one index at a
    /// time with a state: <paramref name="accumulate"/>(<paramref name="state"/>, accumulator, i);
    /// see <see cref="Reduce{TResult}(int, int, TResult, Func{TResult, int, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>.
    /// With <c>static</c> lambdas this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is <paramref name="identity"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="identity">The neutral element of <paramref name="combine"/>.</param>
    /// <param name="accumulate">Adds one index to an accumulator.</param>
    /// <param name="combine">Combines two partial results (associative; also commutative unless <paramref name="deterministic"/>).</param>
    /// <param name="deterministic">Whether the result must not depend on timing.</param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accumulate"/> or <paramref name="combine"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TState, TResult>(int fromInclusive, int toExclusive, TState state, TResult identity, Func<TState, TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accumulate);
        ArgumentNullException.ThrowIfNull(combine);
        return Reduce<StateFuncReducer<TState, TResult>, TResult>(
            fromInclusive, toExclusive, new StateFuncReducer<TState, TResult>(state, identity, accumulate, combine), 1, deterministic, cancellationToken);
    }

    /// <summary>
    /// Reduces the <see cref="long"/> range [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>)
    /// one index at a time; see <see cref="Reduce{TResult}(int, int, TResult, Func{TResult, int, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>.
    /// Allocation-free when both delegates capture nothing.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is <paramref name="identity"/>.</param>
    /// <param name="identity">The neutral element of <paramref name="combine"/>.</param>
    /// <param name="accumulate">Adds one index to an accumulator.</param>
    /// <param name="combine">Combines two partial results (associative; also commutative unless <paramref name="deterministic"/>).</param>
    /// <param name="deterministic">Whether the result must not depend on timing.</param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accumulate"/> or <paramref name="combine"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TResult>(long fromInclusive, long toExclusive, TResult identity, Func<TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accumulate);
        ArgumentNullException.ThrowIfNull(combine);
        return Reduce<LongFuncReducer<TResult>, TResult>(fromInclusive, toExclusive, new LongFuncReducer<TResult>(identity, accumulate, combine), 1L, deterministic, cancellationToken);
    }

    /// <summary>
    /// Reduces the <see cref="long"/> range [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>)
    /// one index at a time with a state; see
    /// <see cref="Reduce{TState, TResult}(int, int, TState, TResult, Func{TState, TResult, int, TResult}, Func{TResult, TResult, TResult}, bool, CancellationToken)"/>.
    /// With <c>static</c> lambdas this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the result is <paramref name="identity"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="identity">The neutral element of <paramref name="combine"/>.</param>
    /// <param name="accumulate">Adds one index to an accumulator.</param>
    /// <param name="combine">Combines two partial results (associative; also commutative unless <paramref name="deterministic"/>).</param>
    /// <param name="deterministic">Whether the result must not depend on timing.</param>
    /// <param name="cancellationToken">Checked before each piece runs.</param>
    /// <returns>The combined result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accumulate"/> or <paramref name="combine"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public TResult Reduce<TState, TResult>(long fromInclusive, long toExclusive, TState state, TResult identity, Func<TState, TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine, bool deterministic = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accumulate);
        ArgumentNullException.ThrowIfNull(combine);
        return Reduce<LongStateFuncReducer<TState, TResult>, TResult>(
            fromInclusive, toExclusive, new LongStateFuncReducer<TState, TResult>(state, identity, accumulate, combine), 1L, deterministic, cancellationToken);
    }
}
