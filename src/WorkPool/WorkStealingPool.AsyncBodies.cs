namespace WorkPool;

// Loops whose bodies await: the shape of Parallel.ForAsync and Parallel.ForEachAsync, run on this
// pool. They are those methods themselves with the pool's TaskScheduler, so their contract is
// .NET's (docs/async.md); what the pool adds is where the bodies run.
public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="body"/>(i, token) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>), with up to <see cref="ThreadCount"/> bodies in flight at
    /// once, and completes when every body's ValueTask has completed: <c>Parallel.ForAsync</c>
    /// on this pool. Each body starts on a worker, and its code after an <c>await</c> comes back
    /// to the workers (the bodies run under <see cref="TaskScheduler"/>, which an <c>await</c>
    /// captures; <c>ConfigureAwait(false)</c> opts out).
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the ValueTask completes at once.</param>
    /// <param name="body">The iteration, given its index and a token that is canceled when <paramref name="cancellationToken"/> is or when a body failed.</param>
    /// <param name="cancellationToken">Once canceled, no further iteration starts, and the ValueTask throws an <see cref="OperationCanceledException"/> (unless a body failed).</param>
    /// <returns>A ValueTask of the whole loop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null (thrown by this call).</exception>
    /// <remarks>
    /// Exceptions, cancellation and ordering are <c>Parallel.ForAsync</c>'s: after a failure no
    /// further iteration starts, and awaiting the ValueTask throws the first exception (its
    /// <see cref="ValueTask.AsTask"/> holds every one). It allocates as that method does (a few
    /// objects per call, not per iteration). For a synchronous body use
    /// <see cref="ForAsync(int, int, Action{int}, CancellationToken)"/>, which splits the range
    /// like <see cref="For(int, int, Action{int}, CancellationToken)"/> and allocates nothing.
    /// On a disposed pool the ValueTask faults with <see cref="ObjectDisposedException"/>.
    /// </remarks>
    public ValueTask ForAsync(int fromInclusive, int toExclusive, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return StartAsyncBodies(options => Parallel.ForAsync(fromInclusive, toExclusive, options, body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(i, token) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) on this pool: the <see cref="long"/> form of
    /// <see cref="ForAsync(int, int, Func{int, CancellationToken, ValueTask}, CancellationToken)"/>.
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range.</param>
    /// <param name="body">The iteration, given its index and the loop's token.</param>
    /// <param name="cancellationToken">Once canceled, no further iteration starts.</param>
    /// <returns>A ValueTask of the whole loop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public ValueTask ForAsync(long fromInclusive, long toExclusive, Func<long, CancellationToken, ValueTask> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return StartAsyncBodies(options => Parallel.ForAsync(fromInclusive, toExclusive, options, body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(item, token) for every item of <paramref name="source"/>,
    /// with up to <see cref="ThreadCount"/> bodies in flight at once: <c>Parallel.ForEachAsync</c>
    /// on this pool (see <see cref="ForAsync(int, int, Func{int, CancellationToken, ValueTask}, CancellationToken)"/>
    /// for where the bodies run, their exceptions and cancellation).
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items; enumerated under a lock, one item at a time, as <c>Parallel.ForEachAsync</c> does.</param>
    /// <param name="body">The iteration, given its item and the loop's token.</param>
    /// <param name="cancellationToken">Once canceled, no further item is taken.</param>
    /// <returns>A ValueTask of the whole loop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="body"/> is null.</exception>
    public ValueTask ForEachAsync<T>(IEnumerable<T> source, Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        return StartAsyncBodies(options => Parallel.ForEachAsync(source, options, body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(item, token) for every item of the asynchronous sequence
    /// <paramref name="source"/> on this pool: the <see cref="IAsyncEnumerable{T}"/> form of
    /// <see cref="ForEachAsync{T}(IEnumerable{T}, Func{T, CancellationToken, ValueTask}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items, awaited one at a time.</param>
    /// <param name="body">The iteration, given its item and the loop's token.</param>
    /// <param name="cancellationToken">Once canceled, no further item is taken (and the token reaches the enumerator).</param>
    /// <returns>A ValueTask of the whole loop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="body"/> is null.</exception>
    public ValueTask ForEachAsync<T>(IAsyncEnumerable<T> source, Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        return StartAsyncBodies(options => Parallel.ForEachAsync(source, options, body), cancellationToken);
    }

    /// <summary>Starts an async-body loop with this pool's scheduler and one body in flight per worker; faulted with <see cref="ObjectDisposedException"/> once the pool is disposed.</summary>
    private ValueTask StartAsyncBodies(Func<ParallelOptions, Task> start, CancellationToken cancellationToken) =>
        IsDisposed
            ? ValueTask.FromException(new ObjectDisposedException(nameof(WorkStealingPool)))
            : new ValueTask(start(new ParallelOptions { TaskScheduler = TaskScheduler, MaxDegreeOfParallelism = ThreadCount, CancellationToken = cancellationToken }));
}
