namespace WorkPool;

public sealed partial class WorkStealingPool
{
    // The loops whose iterations can end them early (LoopControl.Stop / Break), the allocation-free
    // counterpart of Parallel.For with a ParallelLoopState: the control is a ref struct over the
    // loop's flags on the caller's stack, built per iteration in registers.

    /// <summary>
    /// Runs <paramref name="body"/>(i, control) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>), potentially in parallel, until an iteration calls
    /// <see cref="LoopControl.Stop"/> (iterations not started yet are skipped) or
    /// <see cref="LoopControl.Break"/> (iterations above the breaking one that have not started
    /// are skipped; all below it run). Otherwise like
    /// <see cref="For(int, int, Action{int}, CancellationToken)"/> (splitting, exceptions, cancellation).
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; when it is not greater than <paramref name="fromInclusive"/> the loop is empty and returns at once.</param>
    /// <param name="body">The iteration. Allocation-free when it captures nothing; the state form avoids a closure.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <returns>Whether the loop ran to completion, and the lowest index that called Break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public LoopResult For(int fromInclusive, int toExclusive, ControlledForAction body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ControlledForCore(fromInclusive, toExclusive, new ControlledActionBody(body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(i, control) for every i in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) of <see cref="long"/> indices, potentially in parallel, until
    /// an iteration stops or breaks the loop; see <see cref="For(int, int, ControlledForAction, CancellationToken)"/>.
    /// </summary>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="body">The iteration. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <returns>Whether the loop ran to completion, and the lowest index that called Break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public LoopResult For(long fromInclusive, long toExclusive, LongControlledForAction body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ControlledForCore(fromInclusive, toExclusive, new LongControlledActionBody(body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i, control) for every i in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>), potentially in parallel,
    /// until an iteration stops or breaks the loop; see
    /// <see cref="For(int, int, ControlledForAction, CancellationToken)"/>. With a <c>static</c>
    /// lambda this form needs no closure and is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <returns>Whether the loop ran to completion, and the lowest index that called Break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public LoopResult For<TState>(int fromInclusive, int toExclusive, TState state, ControlledForAction<TState> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ControlledForCore(fromInclusive, toExclusive, new StateControlledActionBody<TState>(state, body), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i, control) for every i in
    /// [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) of <see cref="long"/>
    /// indices, potentially in parallel, until an iteration stops or breaks the loop; see
    /// <see cref="For(int, int, ControlledForAction, CancellationToken)"/>. With a <c>static</c>
    /// lambda this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="fromInclusive">The first index.</param>
    /// <param name="toExclusive">The end of the range; the loop is empty when it is not greater than <paramref name="fromInclusive"/>.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <returns>Whether the loop ran to completion, and the lowest index that called Break.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with a non-empty range.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public LoopResult For<TState>(long fromInclusive, long toExclusive, TState state, LongControlledForAction<TState> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ControlledForCore(fromInclusive, toExclusive, new LongStateControlledActionBody<TState>(state, body), cancellationToken);
    }

    private LoopResult ControlledForCore<TBody>(long fromInclusive, long toExclusive, TBody body, CancellationToken cancellationToken)
        where TBody : struct, IControlledIndexBody
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (fromInclusive >= toExclusive)
        {
            return new LoopResult(IsCompleted: true, LowestBreakIteration: null);
        }

        var loopBody = new ControlledLoopBody<TBody>(body);
        RunLoop<ControlledLoopBody<TBody>, NoResult>(fromInclusive, toExclusive, ref loopBody, 1, LoopShape.Adaptive, cancellationToken, out LoopFlags flags);
        cancellationToken.ThrowIfCancellationRequested();
        long lowestBreak = flags.LowestBreak;
        return new LoopResult(
            IsCompleted: !flags.IsStopped && lowestBreak == LoopFlags.NoBreak,
            LowestBreakIteration: lowestBreak == LoopFlags.NoBreak ? null : lowestBreak);
    }
}
