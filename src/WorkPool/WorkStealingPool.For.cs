namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="body"/>(i) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>), potentially in parallel, and returns when all iterations
    /// have finished. No chunk size to tune: called from a thread outside this pool, the calling
    /// thread runs the loop itself, in pieces from a shared cursor, and only when the loop is
    /// still running after a few microseconds (and a worker is idle) does it hand the workers one
    /// job through which they claim pieces too, in sizes that shrink towards the end; a loop
    /// shorter than that never leaves the calling thread. Called from a worker of this pool, the
    /// range is split in halves recursively through <see cref="ForkContext.Join{TA, TB}"/>, and
    /// idle workers take the biggest halves still waiting. A loop inside a loop's iteration is
    /// split the same way on workers, and runs on the calling thread alone outside the pool (the
    /// workers are busy with the outer loop then).
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the loop is empty and returns at once.</param>
    /// <param name="body">The iteration. Allocation-free when it captures nothing; the state form <see cref="For{TState}(int, int, TState, Action{TState, int}, CancellationToken)"/> avoids a closure.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs; once it is cancelled, pieces not started yet are skipped and the loop throws <see cref="OperationCanceledException"/> when the running ones are done.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished (some iterations may not have run).</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">
    /// One or more iterations threw: always an <see cref="AggregateException"/> with every
    /// exception thrown, as <c>Parallel.For</c> does (docs/exceptions.md). Once an iteration has
    /// thrown, pieces that have not started yet are skipped and the running ones finish (pieces
    /// run at most about a tenth of a millisecond each), so how many iterations threw may depend
    /// on timing; the type never does. An exception wins over cancellation; an
    /// <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/> thrown by an
    /// iteration after it was canceled counts as cancellation.
    /// </exception>
    public void For(int fromInclusive, int toExclusive, Action<int> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexRange<ActionForBody>(new ActionForBody(body));
        ForCore(fromInclusive, toExclusive, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(i) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) of <see cref="long"/> indices, potentially in parallel; see
    /// <see cref="For(int, int, Action{int}, CancellationToken)"/>.
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The iteration. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For(long fromInclusive, long toExclusive, Action<long> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new LongIndexRange<LongActionForBody>(new LongActionForBody(body));
        ForCore(fromInclusive, toExclusive, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i) for every i in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>), potentially in
    /// parallel; see <see cref="For(int, int, Action{int}, CancellationToken)"/>. With a <c>static</c> lambda this
    /// form needs no closure and is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For<TState>(int fromInclusive, int toExclusive, TState state, Action<TState, int> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexRange<StateActionForBody<TState>>(new StateActionForBody<TState>(state, body));
        ForCore(fromInclusive, toExclusive, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i) for every i in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) of <see cref="long"/>
    /// indices, potentially in parallel; see <see cref="For(int, int, Action{int}, CancellationToken)"/>. With a
    /// <c>static</c> lambda this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For<TState>(long fromInclusive, long toExclusive, TState state, Action<TState, long> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new LongIndexRange<LongStateActionForBody<TState>>(new LongStateActionForBody<TState>(state, body));
        ForCore(fromInclusive, toExclusive, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every index in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>), potentially in
    /// parallel; see <see cref="For(int, int, Action{int}, CancellationToken)"/>. Allocation-free, and the JIT can
    /// inline <see cref="IForBody.Invoke"/>. Every iteration runs on one shared copy of the body,
    /// which is copied back into <paramref name="body"/> when the loop returns.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">Ranges are not split into pieces shorter than this (unless the whole range is shorter): raise it when one iteration is so cheap that a split (a few nanoseconds) matters.</param>
    /// <param name="cancellationToken">Checked before each piece of the range runs; once it is cancelled, pieces not started yet are skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished (some iterations may not have run).</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For<TBody>(int fromInclusive, int toExclusive, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForBody
    {
        var range = new IndexRange<TBody>(body);
        try
        {
            ForCore(fromInclusive, toExclusive, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every index in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) of <see cref="long"/>
    /// indices, potentially in parallel; see <see cref="For{TBody}(int, int, ref TBody, int, CancellationToken)"/>.
    /// Allocation-free.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">Ranges are not split into pieces shorter than this (unless the whole range is shorter).</param>
    /// <param name="cancellationToken">Checked before each piece of the range runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For<TBody>(long fromInclusive, long toExclusive, ref TBody body, long minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, ILongForBody
    {
        var range = new LongIndexRange<TBody>(body);
        try
        {
            ForCore(fromInclusive, toExclusive, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }

    /// <summary>
    /// Runs the range body <paramref name="body"/> over disjoint sub-ranges that together cover
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) exactly once,
    /// potentially in parallel; see <see cref="For(int, int, Action{int}, CancellationToken)"/>. The inner loop over
    /// a sub-range is the body's own code, so it can be vectorized. Allocation-free.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The body, passed by reference and updated with its final state (every sub-range runs on one shared copy).</param>
    /// <param name="minChunkLength">Sub-ranges are at least this long (unless the whole range is shorter); split on a worker, they are also shorter than twice this, while the calling thread outside the pool and its helpers take longer ones early in the loop. Raise it to give a vectorized inner loop enough to chew on.</param>
    /// <param name="cancellationToken">Checked before each sub-range runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more sub-ranges threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForRange<TBody>(int fromInclusive, int toExclusive, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForRangeBody
    {
        ForCore(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);
    }

    /// <summary>
    /// Runs the range body <paramref name="body"/> over disjoint sub-ranges that together cover
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) of <see cref="long"/>
    /// indices exactly once, potentially in parallel; see
    /// <see cref="ForRange{TBody}(int, int, ref TBody, int, CancellationToken)"/>. Allocation-free.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">Sub-ranges are at least this long (unless the whole range is shorter).</param>
    /// <param name="cancellationToken">Checked before each sub-range runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more sub-ranges threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForRange<TBody>(long fromInclusive, long toExclusive, ref TBody body, long minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForRangeBody
    {
        ForCore(fromInclusive, toExclusive, ref body, minChunkLength, cancellationToken);
    }

    private void ForCore<TRange>(long fromInclusive, long toExclusive, ref TRange body, long minChunkLength, CancellationToken cancellationToken)
        where TRange : struct, IForRangeBody
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minChunkLength, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (fromInclusive >= toExclusive)
        {
            return;
        }

        var loopBody = new RangeLoopBody<TRange>(body);
        try
        {
            RunLoop<RangeLoopBody<TRange>, NoResult>(fromInclusive, toExclusive, ref loopBody, (ulong)minChunkLength, LoopShape.Adaptive, cancellationToken, out _);
        }
        finally
        {
            body = loopBody.Body;
        }

        // Pieces are skipped silently once cancelled; report it here, after every piece is done.
        cancellationToken.ThrowIfCancellationRequested();
    }
}
