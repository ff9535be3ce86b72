using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// The caller-first piece after which the clock is first read (pieces double: 1, 2, 4, 8
    /// grains): a read costs tens of nanoseconds, which matters for a loop of a few cheap
    /// iterations, but a loop of a few expensive ones must not run alone long before its first check.
    /// </summary>
    private const int FirstHeartbeatPiece = 2;

    /// <summary>How a loop is split.</summary>
    private enum LoopShape
    {
        /// <summary>Caller first with a cursor on a guest, a tree on a worker.</summary>
        Adaptive,

        /// <summary>Always a tree whose shape depends only on the range and the grain.</summary>
        Deterministic,
    }

    /// <summary>
    /// Runs a loop over [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) with
    /// <paramref name="body"/> (updated with its final state, whatever happens) and returns its
    /// result; see Loop.cs. The range must not be empty. The calling thread takes part: as the
    /// worker it is, as a guest, or (a participant of another pool, or no guest slot free) by
    /// handing the loop's tree to the workers.
    /// </summary>
    private unsafe TResult RunLoop<TBody, TResult>(long fromInclusive, long toExclusive, ref TBody body, ulong grain, LoopShape shape, CancellationToken cancellationToken, out LoopFlags flags)
        where TBody : struct, ILoopBody<TResult>
    {
        Debug.Assert(fromInclusive < toExclusive);
        ThreadContext? context = ThreadContext.CurrentOrNull;
        Participant? participant = context?.Participant;
        bool inThisPool = participant?.Pool == this;
        if (!inThisPool && IsDisposed)
        {
            ThrowDisposed();
        }

        int helpers = Math.Max(1, _workers.Length - 1);
        var loop = new Loop<TBody, TResult>(body, fromInclusive, toExclusive, grain, helpers + 1, cancellationToken);
        try
        {
            if (inThisPool)
            {
                return RunAsParticipant(ref loop, participant!, shape, helpers);
            }

            if (participant is null)
            {
                byte stackTop = 0;
                context ??= ThreadContext.Current; // once per thread: it keeps the stack limit (StackGuard)
                if (_guests.TryEnter(context, &stackTop) is { } guest)
                {
                    try
                    {
                        return RunAsParticipant(ref loop, guest, shape, helpers);
                    }
                    finally
                    {
                        GuestSlots.Leave(guest, context);
                    }
                }
            }

            // A participant of another pool (the body would otherwise run on a participant of the
            // wrong pool; this one keeps running its own pool's jobs as it waits), or every guest
            // slot is taken: the workers run the loop's tree.
            var root = new LoopSplit<TBody, TResult>(Unsafe.AsPointer(ref loop), fromInclusive, toExclusive);
            return InstallTree(ref root, context ?? ThreadContext.Current);
        }
        catch (Exception e) when (!IsOwnDisposal(e))
        {
            // One rule, whatever ran where (docs/exceptions.md): every exception of the
            // iterations, in an AggregateException.
            throw Failures.OfParts(e, cancellationToken);
        }
        finally
        {
            body = loop.Body;
            flags = loop.Flags;
        }
    }

    /// <summary>
    /// A participant of this pool runs the loop: a guest with nothing of its own shared yet runs
    /// it caller first (a loop that ends within the heartbeat never involves anyone else);
    /// otherwise, and always for a deterministic loop, it runs the tree, whose halves idle
    /// participants take.
    /// </summary>
    private unsafe TResult RunAsParticipant<TBody, TResult>(ref Loop<TBody, TResult> loop, Participant participant, LoopShape shape, int helpers)
        where TBody : struct, ILoopBody<TResult>
    {
        if (shape == LoopShape.Adaptive && participant.IsGuest && participant.Context.Depth == 0)
        {
            return RunCallerFirst<TBody, TResult>(ref loop, participant, helpers);
        }

        var root = new LoopSplit<TBody, TResult>(Unsafe.AsPointer(ref loop), loop.From, unchecked(loop.From + (long)loop.Length));
        root.Run(new ForkContext(participant));
        return root.Result;
    }

    /// <summary>
    /// The caller-first loop (see Loop.cs): pieces alone until the heartbeat, then one helper
    /// job for the workers, then pieces from the shared cursor, then the helper taken back or
    /// waited for.
    /// </summary>
    private unsafe TResult RunCallerFirst<TBody, TResult>(ref Loop<TBody, TResult> loop, Participant guest, int helpers)
        where TBody : struct, ILoopBody<TResult>
    {
        TResult accumulator = loop.Body.Identity();
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
            if (++pieces >= FirstHeartbeatPiece)
            {
                long elapsed = Stopwatch.GetTimestamp() - start;
                if (_sleepers.AnyIdle && elapsed >= (_sleepers.SearchingCount != 0 ? SharingClock.LoopAloneWithSearcherTicks : SharingClock.LoopAloneTicks))
                {
                    // The helpers' first claims are capped by the rate measured so far (LoopPacing).
                    loop.SetPieceCap(loop.Claimed, elapsed);
                    return WithHelper(ref loop, accumulator, guest, helpers);
                }

                // Pieces double, so each runs about as long as all before it: once that nears the
                // piece target, cap them (a loop shorter than that pays this one compare).
                if (elapsed >= SharingClock.PacedAloneTicks)
                {
                    loop.SetPieceCap(loop.Claimed, elapsed);
                    size = loop.CappedPiece(size);
                }
            }
        }

        return accumulator;
    }

    /// <summary>
    /// Shares the helper job, runs shared pieces, takes the helper back or waits for it, and
    /// combines: the caller's part first, as Join's A, then the helpers', as B. The helper lies
    /// on this frame and travels in one of the guest's type-free frame jobs, so sharing it never
    /// allocates, whatever the loop's body type.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe TResult WithHelper<TBody, TResult>(ref Loop<TBody, TResult> loop, TResult accumulator, Participant guest, int helpers)
        where TBody : struct, ILoopBody<TResult>
    {
        ThreadContext context = guest.Context;
        Debug.Assert(context == ThreadContext.CurrentOrNull && context.Depth == 0, "The guest's own context, with nothing shared yet.");
        // Shared while someone searches: the helper measures the steal hand-off when it starts.
        long sharedAt = guest.SearchersPresent ? Stopwatch.GetTimestamp() : 0;
        var helper = new LoopHelper<TBody, TResult>(Unsafe.AsPointer(ref loop), helpers, sharedAt);
        if (guest.TryShareInPlace(Unsafe.AsPointer(ref helper), &FrameJob.RunBody<LoopHelper<TBody, TResult>>) is not { } job)
        {
            // Deque full: this thread is better off running the loop itself.
            return RunAlone(ref loop, accumulator);
        }

        // Loops inside the caller's pieces run as trees while the helper is out (see RunAsParticipant).
        context.Depth = 1;
        try
        {
            accumulator = loop.DrainShared(accumulator);
        }
        catch (Exception errorA)
        {
            // The helpers stop at their next piece (RunPiece stopped the loop); take their job
            // back or wait for it, because it points into this frame.
            ExceptionDispatchInfo? errorB = FinishHelper(job, guest, out _);
            if (errorB is not null)
            {
                throw Failures.Both(errorA, errorB.SourceException);
            }

            throw;
        }

        FinishHelper(job, guest, out bool ran)?.Throw();

        // A helper taken back ran nothing.
        return ran ? loop.Body.Combine(accumulator, helper.Result) : accumulator;
    }

    /// <summary>Outside the pool: the workers run a loop's tree, like an Install (see <see cref="InstallFromOutside"/>).</summary>
    private TResult InstallTree<TBody, TResult>(ref LoopSplit<TBody, TResult> root, ThreadContext context)
        where TBody : struct, ILoopBody<TResult>
    {
        InstallFromOutside(ref root, context)?.Throw();
        return root.Result;
    }

    /// <summary>The caller, with no helper out: runs the remaining pieces itself (paced, so a stop still takes effect between them).</summary>
    private static TResult RunAlone<TBody, TResult>(ref Loop<TBody, TResult> loop, TResult accumulator)
        where TBody : struct, ILoopBody<TResult> => loop.DrainAlone(accumulator);

    /// <summary>
    /// Takes the helper job back from the guest's deque if nobody took it (it never ran);
    /// otherwise waits until whoever took it is done, and returns its error. Either way the job
    /// is free again afterwards.
    /// </summary>
    private static ExceptionDispatchInfo? FinishHelper(FrameJob job, Participant guest, out bool ran)
    {
        Debug.Assert(guest.Context.Depth == 1, "Loops nested in the caller's pieces restored the depth.");
        guest.Context.Depth = 0;
        ran = !guest.TryTakeBackShared(job);
        if (!ran)
        {
            return null;
        }

        return guest.WaitForShared(job);
    }
}
