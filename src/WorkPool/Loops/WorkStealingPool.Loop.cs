using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// How long a caller-first loop runs alone before it asks the workers to join in (see
    /// Loop.cs): long enough that a loop this short is not worth a handoff (a wake-up and a
    /// wait cost about this much), short enough to lose little of a longer loop.
    /// </summary>
    internal static readonly TimeSpan LoopHeartbeat = TimeSpan.FromMicroseconds(5);

    /// <summary>
    /// The caller-first piece after which the clock is first read (pieces double: 1, 2, 4, 8
    /// grains): a read costs tens of nanoseconds, which matters for a loop of a few cheap iterations, but
    /// a loop of a few expensive ones must not run alone long before its first check.
    /// </summary>
    private const int FirstHeartbeatPiece = 2;

    private static readonly long s_loopHeartbeatTicks = Math.Max(1, (long)(LoopHeartbeat.TotalSeconds * Stopwatch.Frequency));

    /// <summary>How a loop is split.</summary>
    private enum LoopShape
    {
        /// <summary>Caller first with a cursor from outside the pool, a tree on its workers.</summary>
        Adaptive,

        /// <summary>Always a tree whose shape depends only on the range and the grain.</summary>
        Deterministic,
    }

    /// <summary>
    /// Runs a loop over [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) with
    /// <paramref name="body"/> (updated with its final state, whatever happens) and returns its
    /// result; see Loop.cs. The range must not be empty.
    /// </summary>
    private unsafe TResult RunLoop<TBody, TResult>(long fromInclusive, long toExclusive, ref TBody body, ulong grain, LoopShape shape, CancellationToken cancellationToken, out LoopFlags flags)
        where TBody : struct, ILoopBody<TResult>
    {
        Debug.Assert(fromInclusive < toExclusive);
        ThreadContext? context = ThreadContext.CurrentOrNull;
        bool onOwnWorker = IsWorkerOfThisPool(context);
        if (!onOwnWorker && IsDisposed)
        {
            ThrowDisposed();
        }

        int helpers = Math.Max(1, _workers.Length - 1);
        var loop = new Loop<TBody, TResult>(body, fromInclusive, toExclusive, grain, helpers + 1, cancellationToken);
        try
        {
            if (onOwnWorker)
            {
                var root = new LoopSplit<TBody, TResult>(Unsafe.AsPointer(ref loop), fromInclusive, toExclusive);
                root.Run(new ForkContext(context!.Worker!));
                return root.Result;
            }

            if (shape == LoopShape.Deterministic)
            {
                // One piece: no tree to run in parallel, so no handoff either.
                if (loop.Length / 2 < loop.Grain)
                {
                    return loop.ShouldSkip(fromInclusive) ? loop.Body.Identity() : loop.RunPiece(loop.Body.Identity(), fromInclusive, toExclusive);
                }

                var root = new LoopSplit<TBody, TResult>(Unsafe.AsPointer(ref loop), fromInclusive, toExclusive);
                return InstallTree(ref root, context ?? ThreadContext.Current);
            }

            if (context?.Worker is not null)
            {
                // A worker of another pool: the loop runs on this pool's workers (the body would
                // otherwise run on a worker of the wrong pool), while this one keeps running its
                // own pool's jobs as it waits.
                var root = new LoopSplit<TBody, TResult>(Unsafe.AsPointer(ref loop), fromInclusive, toExclusive);
                return InstallTree(ref root, context);
            }

            // A thread outside every pool takes part; inside the body, Current and ForkJoin act on this pool.
            context ??= ThreadContext.Current;
            WorkStealingPool? outerLoopPool = context.LoopPool;
            context.LoopPool = this;
            try
            {
                return RunCallerFirst<TBody, TResult>(ref loop, context, helpers);
            }
            finally
            {
                context.LoopPool = outerLoopPool;
            }
        }
        finally
        {
            body = loop.Body;
            flags = loop.Flags;
        }
    }

    /// <summary>
    /// The caller-first loop (see Loop.cs): pieces alone until the heartbeat, then one helper
    /// job for the workers, then pieces from the shared cursor, then the wait for the helper.
    /// </summary>
    private unsafe TResult RunCallerFirst<TBody, TResult>(ref Loop<TBody, TResult> loop, ThreadContext? context, int helpers)
        where TBody : struct, ILoopBody<TResult>
    {
        TResult accumulator = loop.Body.Identity();

        // A thread that already has a helper out (it runs a piece of an outer loop, whose helper
        // keeps the workers busy) runs nested loops alone: a second helper could only start
        // when a worker is free, and the caller would wait for it.
        bool mayHandOff = context is null || context.Depth == 0;
        long start = Stopwatch.GetTimestamp();
        ulong size = loop.Grain;
        int pieces = 0;
        while (loop.TryClaimAlone(size, out long from, out long to))
        {
            if (loop.ShouldSkip(from))
            {
                return accumulator;
            }

            // An exception here leaves directly: nothing was handed off.
            accumulator = loop.RunPiece(accumulator, from, to);
            if (loop.Remaining == 0)
            {
                return accumulator;
            }

            // The clock only from the second piece on, and not after the last one.
            size = size <= ulong.MaxValue / 2 ? size * 2 : size;
            if (++pieces >= FirstHeartbeatPiece && mayHandOff && Stopwatch.GetTimestamp() - start >= s_loopHeartbeatTicks && _sleepers.AnyIdle)
            {
                return WithHelper(ref loop, accumulator, context ?? ThreadContext.Current, helpers);
            }
        }

        return accumulator;
    }

    /// <summary>
    /// Publishes the helper job, runs shared pieces, revokes or waits for the helper and combines: the
    /// caller's part first, as Join's A, then the helpers', as B.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe TResult WithHelper<TBody, TResult>(ref Loop<TBody, TResult> loop, TResult accumulator, ThreadContext context, int helpers)
        where TBody : struct, ILoopBody<TResult>
    {
        Debug.Assert(context == ThreadContext.CurrentOrNull && context.Depth == 0, "The caller's own context, with no helper out.");
        int depth = context.Depth;
        WorkJob<LoopHelper<TBody, TResult>> job = JobSlots<LoopHelper<TBody, TResult>>.At(context, depth);

        // Not done: a job this thread revoked is still waiting in the ring (see LoopHelper), so
        // its slot is not free yet. Gate closed: disposed meanwhile, the workers are leaving.
        // Either way this loop finishes alone.
        if (!job.IsDone)
        {
            return RunAlone(ref loop, accumulator);
        }

        job.Work = new LoopHelper<TBody, TResult>(Unsafe.AsPointer(ref loop), helpers);
        job.Arm();
        context.Depth = depth + 1;
        // No waiting for room: with the ring full, this thread is better off running the loop itself.
        if (!PublishFromOutside(context, job, waitForRoom: false))
        {
            context.Depth = depth;
            job.Disarm();
            job.ClearWork();
            return RunAlone(ref loop, accumulator);
        }

        try
        {
            accumulator = loop.DrainShared(accumulator);
        }
        catch (Exception errorA)
        {
            // The helpers stop at their next piece (RunPiece stopped the loop); revoke their job
            // or wait for it, because it points into this frame.
            ExceptionDispatchInfo? errorB = FinishHelper(job, context, depth, out _, out _);
            if (errorB is not null)
            {
                throw new AggregateException(errorA, errorB.SourceException);
            }

            throw;
        }

        FinishHelper(job, context, depth, out TResult helped, out bool entered)?.Throw();

        // A revoked helper ran nothing.
        return entered ? loop.Body.Combine(accumulator, helped) : accumulator;
    }

    /// <summary>
    /// Outside the pool: runs a deterministic loop's tree on the pool, like an Install, but waits
    /// for it without giving up on an interrupt (see <see cref="WaitForSlotJob"/>).
    /// </summary>
    private TResult InstallTree<TBody, TResult>(ref LoopSplit<TBody, TResult> root, ThreadContext context)
        where TBody : struct, ILoopBody<TResult>
    {
        int depth = context.Depth;
        WorkJob<LoopSplit<TBody, TResult>> job = PublishInSlot(context, depth, in root);
        WaitForSlotJob(job, context, depth, out root)?.Throw();
        return root.Result;
    }

    /// <summary>The caller, with no helper out: runs the remaining pieces itself.</summary>
    private static TResult RunAlone<TBody, TResult>(ref Loop<TBody, TResult> loop, TResult accumulator)
        where TBody : struct, ILoopBody<TResult>
    {
        while (loop.TryClaimAlone(ulong.MaxValue, out long from, out long to) && !loop.ShouldSkip(from))
        {
            accumulator = loop.RunPiece(accumulator, from, to);
        }

        return accumulator;
    }

    /// <summary>
    /// Revokes the helper job if no worker entered it; otherwise waits until it is done and takes
    /// its result and error. Either way the slot's depth is given back.
    /// </summary>
    private ExceptionDispatchInfo? FinishHelper<TBody, TResult>(WorkJob<LoopHelper<TBody, TResult>> job, ThreadContext context, int depth, out TResult result, out bool entered)
        where TBody : struct, ILoopBody<TResult>
    {
        if (job.Work.TryRevoke())
        {
            // Still in the ring: it completes on its own later, without touching this stack.
            context.Depth = depth;
            result = default!;
            entered = false;
            return null;
        }

        Debug.Assert(context.Depth == depth + 1, "Loops nested in the caller's pieces restored the depth.");
        entered = true;
        ExceptionDispatchInfo? error = WaitForSlotJob(job, context, depth, out LoopHelper<TBody, TResult> helper);
        result = helper.Result;
        return error;
    }
}
