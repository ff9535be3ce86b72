using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

// Promotion: a recorded Join half becomes a job on the deque, where idle participants can steal
// it. The protocol and its races are in docs/design/promotion.md.
internal sealed partial class Participant
{
    /// <summary>
    /// How many promoted Join halves one participant can have outstanding at once (one per
    /// nesting level whose half was promoted) before its job stack grows. Promotions nest like
    /// the Joins, so this is reached only by deep recursion.
    /// </summary>
    internal const int InitialFrameJobCount = 64;

    /// <summary>The most promotion attempts between two reads of the clock.</summary>
    private const int MaxCheckPeriod = 4096;

    // Owner-only heartbeat state. A clock read costs tens of nanoseconds, a Join a few, so the
    // clock is read only every _checkPeriod attempts (a Join that saw an idle participant is an
    // attempt); the period adapts so that checks come about every SharingClock.CheckSpacingTicks
    // of work, whatever a Join's grain, and it carries over from one piece of work to the next
    // (the same shapes tend to repeat).
    private int _promotionCountdown = 1;
    private int _checkPeriod = 16;
    private long _workStart;
    private long _lastCheck;
    private long _lastPromotion;

    /// <summary>
    /// A new piece of work starts on this participant (a job it took, or a guest call): its age,
    /// which decides when its halves may be shared, counts from its first check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StartNewWork()
    {
        _workStart = 0;
        _promotionCountdown = _checkPeriod;
    }

    /// <summary>
    /// Some participant is idle and this Join's countdown ran out: once the current piece of
    /// work is older than <see cref="SharingClock.ShareAfterTicks"/>, promote this thread's oldest Join half (the
    /// biggest piece of work it has, as in eager work stealing) to the deque, and wake a
    /// sleeper for it if nobody searches. At most one promoted job waits on the deque at a
    /// time: while one does, idle participants have something to take, and promoting more would
    /// only cost the owner. While someone searches, promotions are at least
    /// <see cref="SharingClock.PromotionIntervalTicks"/> apart, so splitting costs at most a small fraction of
    /// the work.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void TryPromoteOldest()
    {
        long now = Stopwatch.GetTimestamp();
        int period = _checkPeriod;
        if (_workStart == 0)
        {
            _workStart = now;
        }
        else
        {
            // Aim the next check at one check spacing from now, at the rate the last period ran.
            long spent = now - _lastCheck;
            long target = SharingClock.CheckSpacingTicks;
            long next = spent <= 0 ? (long)period * 2 : (long)period * target / spent;
            period = (int)Math.Clamp(next, 1, MaxCheckPeriod);
            _checkPeriod = period;
        }

        _lastCheck = now;
        _promotionCountdown = period;
        if (now - _workStart < SharingClock.ShareAfterTicks
            || !Deque.LooksEmpty
            || (_sleepers.SearchingCount != 0 && now - _lastPromotion < SharingClock.PromotionIntervalTicks))
        {
            return;
        }

        if (OldestUnsharedFrame() is { } oldest && TryPromote(oldest.Frame))
        {
            _lastPromotion = now;
            NotifyPushed();
        }
    }

    /// <summary>
    /// The oldest frame whose half nobody took: the frame just newer than the newest shared one,
    /// or the outermost frame when none is shared; or the outermost frame itself if it is still
    /// offered (its offer is retracted here, so it becomes recorded). Null when there is none.
    /// Constant time, however deep the recursion: no walk over the frames.
    /// </summary>
    /// <remarks>
    /// Every frame older than a promoted, offered or claimed one is itself promoted, offered or
    /// claimed: promotion always takes the oldest, and only the outermost frame is offered.
    /// </remarks>
    private unsafe FramePointer? OldestUnsharedFrame()
    {
        JoinFrame* shared = _newestShared;
        if (shared is not null && shared->State == JoinFrame.Offered)
        {
            Debug.Assert(shared->Older is null && shared == _outermostFrame, "Only the outermost frame is offered.");
            if (TryRetractOffer())
            {
                shared->State = JoinFrame.Recorded;
                _newestShared = null;
                return new FramePointer(shared);
            }

            shared->State = JoinFrame.Claimed;
        }

        JoinFrame* oldest = shared is null ? (_newestFrame is null ? null : _outermostFrame)
            : shared == _newestFrame ? null
            : shared->Newer;
        Debug.Assert(oldest is null || (oldest->State == JoinFrame.Recorded && oldest->Older == shared), "The oldest unshared frame sits right on the newest shared one.");
        return oldest is null ? null : new FramePointer(oldest);
    }

    /// <summary>
    /// A nested wait begins: every half of this thread that nobody took becomes a job (oldest
    /// first, so thieves take the oldest and this participant's own pops take the newest),
    /// because it is about to look for work and is itself a candidate to run them.
    /// </summary>
    private unsafe void PromoteAllRecorded()
    {
        if (OldestUnsharedFrame() is not { } oldest)
        {
            return;
        }

        int promoted = 0;
        JoinFrame* target = oldest.Frame;
        while (TryPromote(target))
        {
            promoted++;
            if (target == _newestFrame)
            {
                break;
            }

            // The next newer frame (linked, since target is not the newest).
            Debug.Assert(target->Newer->Older == target);
            target = target->Newer;
        }

        // This participant pops the newest itself; wake a sleeper only for the others.
        if (promoted > 1)
        {
            NotifyPushed();
        }
    }

    /// <summary>Makes a recorded frame's half a job on the deque. False when the deque is full: it then stays recorded and runs inline.</summary>
    private unsafe bool TryPromote(JoinFrame* frame)
    {
        Debug.Assert(frame->State == JoinFrame.Recorded);
        FrameJob job = _frameJobs.At(Context.Parker, _promotedCount);
        job.Load(frame);
        if (!Deque.TryPush(job))
        {
            job.Disarm();
            return false;
        }

        frame->State = JoinFrame.Promoted;
        frame->Job = _promotedCount++;
        _newestShared = frame;
        _stats.JoinPromoted(Deque.Count);
        return true;
    }

    /// <summary>
    /// After pushing a promoted half or a spawned job: full fence, then wake a sleeper if nobody
    /// searches. The fence pairs with a sleeper's announcement and last look exactly as for the
    /// injector (see <see cref="Sleepers"/>), so the wake-up is not lost.
    /// </summary>
    private void NotifyPushed()
    {
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
    }

    /// <summary>A <see cref="JoinFrame"/> pointer that can be returned as a nullable value.</summary>
    private readonly unsafe struct FramePointer(JoinFrame* frame)
    {
        public JoinFrame* Frame { get; } = frame;
    }
}
