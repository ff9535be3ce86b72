using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

internal sealed partial class Worker
{
    // Owner-only Join state (see JoinFrame): the newest frame of the Joins in progress, the
    // stack of jobs that carry promoted frames, and how many of them are in use.
    private unsafe JoinFrame* _newestFrame;
    private FrameJob[] _frameJobs;
    private int _promotedCount;

    /// <summary>
    /// How many promoted Join halves one worker can have outstanding at once (one per nesting
    /// level whose half was offered) before its job stack grows. Promotions nest like the
    /// Joins, so this is reached only by deep recursion; growing is a warm-up allocation, like
    /// a thread's first Install at a new depth.
    /// </summary>
    internal const int InitialFrameJobCount = 64;

    /// <summary>The heartbeat: the shortest time between two promotions of one worker for searching workers (see <see cref="TryPromoteOldest"/>).</summary>
    internal static readonly TimeSpan PromotionInterval = TimeSpan.FromMicroseconds(50);

    /// <summary>How many promotion attempts for a searching worker pass between two reads of the clock (a read costs tens of nanoseconds).</summary>
    private const int HeartbeatCheckPeriod = 32;
    private static readonly long s_promotionIntervalTicks = (long)(PromotionInterval.TotalSeconds * Stopwatch.Frequency);

    // Owner-only heartbeat state.
    private long _lastPromotion;
    private int _heartbeatCountdown;
    private unsafe bool HasRecordedFrames => _newestFrame is not null;

    /// <summary>
    /// Join on this worker: record <paramref name="b"/> in a frame, run <paramref name="a"/>,
    /// then run <paramref name="b"/> inline, unless a later Join or a wait on this thread
    /// promoted it to the deque meanwhile (see <see cref="JoinFrame"/>): then take the job back,
    /// or help with other work until the worker that took it is done.
    /// </summary>
    /// <remarks>
    /// When no worker is idle this path has no interlocked operation, no fence, no volatile
    /// write, no allocation and no thread-local lookup: four plain stores into a frame on the
    /// stack, one read of the idle counters (a line that changes only when workers go idle or
    /// wake), and the two halves called through struct generics, so the JIT can inline them.
    /// </remarks>
    [SkipLocalsInit]
    internal unsafe void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Join runs on the worker's own thread.");
        JoinFrame frame;
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
        _newestFrame = &frame;
        if (_sleepers.AnyIdle)
        {
            TryPromoteOldest();
        }

        try
        {
            a.Run(new ForkContext(this));
        }
        catch (Exception e)
        {
            // Off the fast path: B still runs (or is awaited); then A's exception goes on with
            // its stack, or both go on together if B failed too.
            FinishBAfterAThrew(&frame, ref b, e);
            throw;
        }

        Debug.Assert(_newestFrame == &frame, "Joins inside A unlinked their frames.");
        _newestFrame = frame.Older;
        if (frame.State == JoinFrame.Recorded)
        {
            // Nobody promoted B: run it right here, no job, no latch. Its exception, if any,
            // propagates as it is: A has finished.
            _stats.JoinInline();
            b.Run(new ForkContext(this));
        }
        else
        {
            TakeBackPromoted(&frame, ref b)?.Throw();
        }
    }

    /// <summary>
    /// A threw: unlink its frame, then run B (or take it back, or wait for its thief). Returns
    /// normally when B succeeded, so the caller rethrows A's exception; throws an
    /// <see cref="AggregateException"/> of both when B failed too.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void FinishBAfterAThrew<TB>(JoinFrame* frame, ref TB b, Exception errorA)
        where TB : struct, IWork
    {
        Debug.Assert(_newestFrame == frame, "Joins inside A unlinked their frames, even when A threw.");
        _newestFrame = frame->Older;
        if (frame->State == JoinFrame.Recorded)
        {
            _stats.JoinInline();
        }

        ExceptionDispatchInfo? errorB = frame->State == JoinFrame.Recorded ? RunCaptured(ref b) : TakeBackPromoted(frame, ref b);
        if (errorB is not null)
        {
            throw new AggregateException(errorA, errorB.SourceException);
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
    /// Join's slow path: B was promoted. If its job is still at the bottom of the deque, take it
    /// back and run B inline. Otherwise it was taken (by a thief, or by this worker while it
    /// waited for something else): run the older promoted jobs below it, then help with other
    /// work until it is done. Whoever ran it ran it in place, in <paramref name="b"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe ExceptionDispatchInfo? TakeBackPromoted<TB>(JoinFrame* frame, ref TB b)
        where TB : struct, IWork
    {
        Debug.Assert(frame->State == JoinFrame.Promoted && frame->Job == _promotedCount - 1, "Promoted frames finish newest first.");
        FrameJob job = _frameJobs[frame->Job];
        ExceptionDispatchInfo? error;

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
            popped.Execute(this);
        }

        WaitForStolenFrame(job);
        _stats.JoinHalfTaken();
        error = job.TakeError();
        _promotedCount--;
        return error;
    }

    /// <summary>
    /// Waits until another worker finished a promoted frame's job, running other work meanwhile.
    /// The job points into a frame of this stack: leaving before it is done would let the other
    /// worker write into a dead frame, so not even an interrupt of this thread ends the wait early
    /// (it is rethrown afterwards).
    /// </summary>
    private void WaitForStolenFrame(FrameJob job)
    {
        var done = new JobDone(job);
        if (WaitUninterruptibly(ref done) is { } interrupted)
        {
            ExceptionDispatchInfo.Throw(interrupted);
        }
    }

    /// <summary>
    /// Some worker is idle: promote this thread's oldest recorded Join half (the biggest piece of
    /// work it has, as in eager work stealing) to the deque, and wake a sleeper for it if nobody
    /// searches. At most one promoted job waits on the deque at a time: while one does, idle
    /// workers have something to take, and promoting more would only cost the owner.
    /// </summary>
    /// <remarks>
    /// The heartbeat: while some worker is searching, a worker promotes at most once per
    /// <see cref="PromotionInterval"/>, so splitting costs at most a small fraction of the work,
    /// and computations shorter than the interval are not cut into pieces smaller than the cost
    /// of moving them to another core. It reads the clock on the first attempt in each job it
    /// starts, then every <see cref="HeartbeatCheckPeriod"/>th attempt. When the only idle
    /// workers are asleep, it promotes at once: nobody searches, so a half that is not promoted
    /// now may never be shared (two long halves would run one after the other), and the
    /// wake-up it pays for comes at most once per sleep of that worker.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void TryPromoteOldest()
    {
        if (!Deque.LooksEmpty)
        {
            return;
        }

        if (_sleepers.SearchingCount != 0)
        {
            if (--_heartbeatCountdown > 0)
            {
                return;
            }

            _heartbeatCountdown = HeartbeatCheckPeriod;
            if (Stopwatch.GetTimestamp() - _lastPromotion < s_promotionIntervalTicks)
            {
                return;
            }
        }

        // Promoted frames are all older than recorded ones: the oldest recorded frame is the
        // last recorded one before the first promoted one, walking from the newest.
        JoinFrame* oldest = null;
        for (JoinFrame* frame = _newestFrame; frame is not null && frame->State == JoinFrame.Recorded; frame = frame->Older)
        {
            oldest = frame;
        }

        if (oldest is not null && TryPromote(oldest))
        {
            _lastPromotion = Stopwatch.GetTimestamp();
            NotifyPushed();
        }
    }

    /// <summary>
    /// A nested wait begins: every recorded Join half of this thread becomes a job (oldest
    /// first, so thieves take the oldest and this worker's own pops take the newest), because
    /// this worker is about to look for work and is itself a candidate to run them.
    /// </summary>
    private unsafe void PromoteAllRecorded()
    {
        // Collect the recorded frames newest first, then promote from the oldest.
        int count = 0;
        for (JoinFrame* frame = _newestFrame; frame is not null && frame->State == JoinFrame.Recorded; frame = frame->Older)
        {
            count++;
        }

        int promoted = 0;
        for (; count > 0; count--)
        {
            JoinFrame* frame = _newestFrame;
            for (int i = 1; i < count; i++)
            {
                frame = frame->Older;
            }

            if (!TryPromote(frame))
            {
                break;
            }

            promoted++;
        }

        // This worker pops the newest itself; wake a sleeper only for the others.
        if (promoted > 1)
        {
            NotifyPushed();
        }
    }

    /// <summary>Makes a recorded frame's half a job on the deque. False when the deque is full: it then stays recorded and runs inline.</summary>
    private unsafe bool TryPromote(JoinFrame* frame)
    {
        Debug.Assert(frame->State == JoinFrame.Recorded);
        if (_promotedCount == _frameJobs.Length)
        {
            GrowFrameJobs(_frameJobs.Length * 2);
        }

        FrameJob job = _frameJobs[_promotedCount];
        job.Load(frame);
        if (!Deque.TryPush(job))
        {
            job.Disarm();
            return false;
        }

        frame->State = JoinFrame.Promoted;
        frame->Job = _promotedCount++;
        _stats.JoinPromoted(Deque.Count);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowFrameJobs(int count)
    {
        FrameJob[] jobs = new FrameJob[count];
        _frameJobs.CopyTo(jobs, 0);
        for (int i = _frameJobs.Length; i < count; i++)
        {
            jobs[i] = new FrameJob(Context.Parker);
        }

        _frameJobs = jobs;
    }

    /// <summary>
    /// After promoting: full fence, then wake a sleeper if nobody searches. The fence pairs with
    /// a sleeper's announcement and last look exactly as for the injector (see
    /// <see cref="Sleepers"/>): promotion happens because a worker is idle, so its wake-up must
    /// not be lost.
    /// </summary>
    private void NotifyPushed()
    {
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ExceptionDispatchInfo? RunCaptured<T>(ref T work)
        where T : struct, IWork
    {
        try
        {
            work.Run(new ForkContext(this));
            return null;
        }
#pragma warning disable CA1031 // Captured for the waiting thread; see Join.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }
}
