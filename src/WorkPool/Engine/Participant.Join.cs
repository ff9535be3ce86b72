using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

internal sealed partial class Participant
{
    // Owner-only Join state (see JoinFrame): the newest frame of the Joins in progress, the
    // stack of jobs that carry promoted frames, and how many of them are in use.
    private unsafe JoinFrame* _newestFrame;

    // Owner-only: the newest frame whose half is shared (promoted, offered or claimed), null when
    // none is; every older frame is shared too, every newer one recorded. And the outermost
    // frame, which is the oldest recorded one when no frame is shared.
    private unsafe JoinFrame* _newestShared;
    private unsafe JoinFrame* _outermostFrame;
    private DepthStack<FrameJob, Parker> _frameJobs;
    private int _promotedCount;

    private unsafe bool HasRecordedFrames => _newestFrame is not null;

    /// <summary>
    /// Join on this participant: record <paramref name="b"/> in a frame, run <paramref name="a"/>,
    /// then run <paramref name="b"/> inline, unless meanwhile it was promoted to the deque (a
    /// later Join or a wait on this thread did that, see Participant.Promotion.cs) or claimed by an
    /// idle participant (the outermost frame is offered, see Participant.Offer.cs): then take the job
    /// back, or help with other work until whoever took it is done.
    /// </summary>
    /// <remarks>
    /// When no participant is idle this path has no interlocked operation, no fence, no volatile
    /// write, no allocation and no thread-local lookup: four plain stores into a frame on the
    /// stack, one read of the idle counters (a line that changes only when workers go idle or
    /// wake), and the two halves called through struct generics, so the JIT can inline them.
    /// The outermost Join of a piece of work also offers its frame (three plain stores and a
    /// release store, then one compare-and-swap after A).
    /// </remarks>
    [SkipLocalsInit]
    internal unsafe void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Join runs on the participant's own thread.");
        JoinFrame frame;

        // The stack guard (Participant.Stack.cs): one compare of this frame against a precomputed limit.
        if ((nuint)(&frame) < _stackLimit)
        {
            JoinNearTheStackLimit(ref a, ref b);
            return;
        }

        void* bodyB = Unsafe.AsPointer(ref b);
        // A thief runs B where it lies, through an unmanaged pointer: only a location on this
        // thread's stack, in a caller's frame (above ours), is safe for that. Anything else
        // (a field of a heap object, say) the GC may move: B then runs from a stack copy.
        if ((nuint)bodyB <= (nuint)(&frame) || (nuint)bodyB >= _stackBase)
        {
            JoinWithCopyOfB(ref a, ref b);
            return;
        }

        frame.Older = _newestFrame;
        frame.Body = bodyB;
        frame.Run = &FrameJob.RunBody<TB>;
        frame.State = JoinFrame.Recorded;
        if (frame.Older is null)
        {
            Offer(&frame);
        }
        else
        {
            frame.Older->Newer = &frame;
        }

        _newestFrame = &frame;
        if (_sleepers.AnyIdle && --_promotionCountdown <= 0)
        {
            TryPromoteOldest();
        }

        ExceptionDispatchInfo errorA;
        try
        {
            a.Run(new ForkContext(this));
        }
        catch (Exception e)
        {
            // Off the fast path: B still runs (or is awaited); then A's exception goes on with
            // its stack, or both go on together if B failed too.
            if (HasStackToRethrow())
            {
                FinishBAfterAThrew(&frame, ref b, e);
                throw;
            }

            // Too deep to rethrow from here (see HasStackToRethrow): leave the catch first.
            errorA = ExceptionDispatchInfo.Capture(e);
            goto AThrewDeep;
        }

        Debug.Assert(_newestFrame == &frame, "Joins inside A unlinked their frames.");
        if (frame.State == JoinFrame.Recorded)
        {
            // Nobody promoted B: run it right here, no job, no latch. Its exception, if any,
            // propagates as it is: A has finished.
            _newestFrame = frame.Older;
            _stats.JoinInline();
            b.Run(new ForkContext(this));
        }
        else
        {
            FinishB(&frame, ref b)?.Throw();
        }

        return;

    AThrewDeep:
        // The catch has ended, so the exception's dispatch has unwound to this frame: B runs
        // here, not below the throw point, and A's exception goes on from here.
        FinishBAfterAThrew(&frame, ref b, errorA.SourceException);
        errorA.Throw();
    }

    /// <summary>
    /// Whether a catch of a Join may rethrow in place. A rethrow from a catch block dispatches the
    /// exception anew from below the throw point, and every Join the exception then passes adds
    /// its catch and the runtime's dispatch frames (about 10 KB each) further down: thousands of
    /// nested Joins unwinding an exception overflow any stack. Near this participant's stack limit
    /// (which the stack guard's exception starts at) the Join leaves the catch first instead, and
    /// rethrows from its own frame (a copy of the stack trace, so only there).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe bool HasStackToRethrow()
    {
        byte local = 0;
        return (nuint)(&local) >= _stackLimit + RethrowMargin;
    }

    /// <summary>
    /// A threw: run B (or take it back, or wait for whoever took it). Returns normally when B
    /// succeeded, so the caller rethrows A's exception; throws an
    /// <see cref="AggregateException"/> of both when B failed too.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void FinishBAfterAThrew<TB>(JoinFrame* frame, ref TB b, Exception errorA)
        where TB : struct, IWork
    {
        if (FinishB(frame, ref b) is { } errorB)
        {
            throw Failures.Both(errorA, errorB.SourceException);
        }
    }

    /// <summary>
    /// After A: B is still recorded (run it inline), offered (retract the offer and run it
    /// inline, or learn it was claimed), claimed (wait for the claimer) or promoted (take its job
    /// back, or wait for the thief). Unlinks the frame and returns B's exception, if any.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe ExceptionDispatchInfo? FinishB<TB>(JoinFrame* frame, ref TB b)
        where TB : struct, IWork
    {
        Debug.Assert(_newestFrame == frame, "Joins inside A unlinked their frames, even when A threw.");
        if (frame->State == JoinFrame.Offered)
        {
            frame->State = TryRetractOffer() ? JoinFrame.Recorded : JoinFrame.Claimed;
        }

        // A shared frame, the newest linked one, is the newest shared frame; once it is unlinked,
        // its older frames are shared, or there are none.
        Debug.Assert(frame->State == JoinFrame.Recorded || _newestShared == frame, "The newest linked frame, shared, is the newest shared frame.");
        if (_newestShared == frame && frame->State == JoinFrame.Recorded)
        {
            // Its offer was retracted just now.
            _newestShared = null;
        }

        switch (frame->State)
        {
            case JoinFrame.Recorded:
                _newestFrame = frame->Older;
                _stats.JoinInline();
                return RunCaptured(ref b);

            case JoinFrame.Promoted:
                _newestFrame = frame->Older;
                _newestShared = frame->Older;
                return TakeBackPromoted(frame, ref b);

            default:
                // Claimed. The frame stays linked while this thread waits and helps, so no Join of
                // a job it runs meanwhile makes an offer of its own: the offer's job is still in use.
                Debug.Assert(frame->State == JoinFrame.Claimed);
                ExceptionDispatchInfo? error = WaitForClaimedOffer();
                _newestFrame = frame->Older;
                _newestShared = frame->Older;
                return error;
        }
    }

    /// <summary>Join where B is not on this thread's stack: join a stack copy, then copy its final state back.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void JoinWithCopyOfB<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        TB copy = b;
        try
        {
            Join(ref a, ref copy);
        }
        finally
        {
            b = copy;
        }
    }

    /// <summary>
    /// B was promoted. If its job is still at the bottom of the deque, take it back and run B
    /// inline. Otherwise it was taken (by a thief, or by this participant while it waited for
    /// something else): run the older promoted jobs below it, then help with other work until it
    /// is done. Whoever ran it ran it in place, in <paramref name="b"/>.
    /// </summary>
    private unsafe ExceptionDispatchInfo? TakeBackPromoted<TB>(JoinFrame* frame, ref TB b)
        where TB : struct, IWork
    {
        Debug.Assert(frame->State == JoinFrame.Promoted && frame->Job == _promotedCount - 1, "Promoted frames finish newest first.");
        FrameJob job = _frameJobs[frame->Job];

        // Every newer Join has finished and taken its own job back, so the deque holds only
        // this Join's job and older ones, newest at the bottom.
        while (Deque.TryPop() is { } popped)
        {
            if (popped == job)
            {
                _stats.JoinTakenBack();
                job.Disarm();
                _promotedCount--;
                return RunCaptured(ref b);
            }

            _stats.JobRun();
            popped.Run(this);
        }

        // The job points into a frame of this stack: leaving before it is done would let the
        // thief write into a dead frame, so nothing (not even an interrupt) ends the wait early.
        var done = new JobDone(job);
        WaitUninterruptibly(ref done);
        _stats.JoinHalfTaken();
        ExceptionDispatchInfo? error = job.TakeError();
        _promotedCount--;
        return error;
    }
}
