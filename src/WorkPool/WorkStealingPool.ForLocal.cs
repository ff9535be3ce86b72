using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="body"/> for every index in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>), potentially in parallel, with state local to each
    /// participant: each participant that takes part calls <paramref name="localInit"/> once
    /// before its first iteration, threads its local through its iterations, and after the loop
    /// every local goes to <paramref name="localFinally"/>, on the calling thread, in participant
    /// order. The counterpart of <c>Parallel.For(from, to, localInit, body, localFinally)</c>;
    /// see <see cref="For(int, int, Action{int}, CancellationToken)"/> for how the loop runs.
    /// </summary>
    /// <typeparam name="TLocal">The type of the local state.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="localInit">Creates a participant's local state.</param>
    /// <param name="body">One iteration: receives the index and the local, returns the new local.</param>
    /// <param name="localFinally">Receives each local after the loop (also when it threw or was cancelled), one at a time.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException">A delegate is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">Iterations in different pieces threw, or an iteration and <paramref name="localFinally"/> threw; see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void For<TLocal>(int fromInclusive, int toExclusive, Func<TLocal> localInit, Func<int, TLocal, TLocal> body, Action<TLocal> localFinally, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localInit);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(localFinally);
        var local = new DelegateLocalBody<TLocal>(localInit, body, localFinally);
        For<DelegateLocalBody<TLocal>, TLocal>(fromInclusive, toExclusive, ref local, 1, cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every index in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>), potentially in
    /// parallel, with state local to each participant (<see cref="IForLocalBody{TLocal}"/>:
    /// <c>Init</c> once per participant that takes part, <c>Invoke</c> per index on that
    /// participant's local, <c>Finish</c> per local after the loop, on the calling thread, in
    /// participant order). Allocation-free after warm-up. C# cannot infer
    /// <typeparamref name="TLocal"/>, so name both type arguments:
    /// <c>pool.For&lt;HistogramBody, int[]&gt;(0, n, ref body)</c>.
    /// </summary>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <typeparam name="TLocal">The type of the local state.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The body, passed by reference and updated with its final state (every method runs on one shared copy).</param>
    /// <param name="minChunkLength">Ranges are not split into pieces shorter than this (unless the whole range is shorter).</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">
    /// Iterations in different pieces threw (see <see cref="For(int, int, Action{int}, CancellationToken)"/>),
    /// or the loop and <see cref="IForLocalBody{TLocal}.Finish"/> both threw (the loop's exception first).
    /// Every initialized local reaches Finish whatever happened.
    /// </exception>
    public void For<TBody, TLocal>(int fromInclusive, int toExclusive, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForLocalBody<TLocal>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minChunkLength, 1);
        cancellationToken.ThrowIfCancellationRequested();
        if (fromInclusive >= toExclusive)
        {
            return;
        }

        LocalStates<TLocal> locals = LocalStates<TLocal>.Rent(_participants.Length);
        var range = new LocalRange<TBody, TLocal>(body, locals);
        ExceptionDispatchInfo? loopError = null;
        try
        {
            ForCore(fromInclusive, toExclusive, ref range, minChunkLength, cancellationToken);
        }
#pragma warning disable CA1031 // Held until every local is finished, then rethrown as it was.
        catch (Exception e)
#pragma warning restore CA1031
        {
            loopError = ExceptionDispatchInfo.Capture(e);
        }

        body = range.Body;
        Exception? finallyError = locals.FinishAndReturn(ref body);
        if (loopError is not null)
        {
            if (finallyError is not null)
            {
                throw new AggregateException(loopError.SourceException, finallyError);
            }

            loopError.Throw();
        }

        if (finallyError is not null)
        {
            ExceptionDispatchInfo.Throw(finallyError);
        }
    }
}
