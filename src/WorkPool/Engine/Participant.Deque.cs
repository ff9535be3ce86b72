using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace WorkPool;

// Jobs a participant shares through its own deque besides promoted Join halves: spawned jobs
// and the helper job of a caller-first loop.
internal sealed partial class Participant
{
    /// <summary>
    /// A spawned job from this worker: onto its deque, offered to idle workers like a promoted
    /// Join half. False when the deque is full (the caller then runs the job itself or injects it).
    /// </summary>
    /// <remarks>
    /// The check for a sleeper to wake is a plain read, so a worker that goes to sleep at this
    /// very moment may miss this job: then this worker runs it itself (it never sleeps with a
    /// job on its own deque), and the next spawn or promotion wakes the sleeper. Correctness never
    /// depends on the wake-up, only parallelism does; so a pool that is busy, or that has a
    /// worker searching already (it will find the job), pays no fence per spawn.
    /// </remarks>
    internal bool TryPushSpawned(Job job)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Only the owner pushes onto its deque.");
        if (!Deque.TryPush(job))
        {
            return false;
        }

        _stats.Spawned(Deque.Count);
        if (_sleepers.ShouldWake)
        {
            NotifyPushed();
        }

        return true;
    }

    // The job a flowed run is about to execute (see ExecuteUnder): set and taken on this thread.
    private Job? _flowing;

    /// <summary>
    /// Runs <paramref name="job"/> under <paramref name="context"/>, its publisher's execution
    /// context (see <see cref="Job"/>); the thread's own context is back when this returns.
    /// </summary>
    internal void ExecuteUnder(ExecutionContext context, Job job, ContextCallback executeFlowing)
    {
        Debug.Assert(_flowing is null, "A flowed job is taken before it runs, so nested ones never overlap.");
        _flowing = job;
        ExecutionContext.Run(context, executeFlowing, this);
    }

    /// <summary>The callback of <see cref="ExecuteUnder"/>, under the job's context.</summary>
    internal void ExecuteFlowing()
    {
        Job job = _flowing!;
        _flowing = null;
        job.Execute(this);
    }

    /// <summary>
    /// A worker is about to wait for <paramref name="target"/> outside the pool's wait loop (an
    /// async call's completion, see <see cref="AsyncJob{TBody, TResult}.OnCompleted"/>): runs the
    /// jobs of its own deque, newest first, until it has run <paramref name="target"/> or the
    /// deque is empty. Without this, a worker that blocks on a ValueTask of its own pool (sync
    /// over async: <c>InstallAsync(...).AsTask().Wait()</c>) would sit on the job it waits for:
    /// on a one-worker pool nobody else could take it.
    /// </summary>
    internal void RunOwnJobsUntil(Job target)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context && !IsGuest, "Only a worker pops its own deque.");
        while (Deque.TryPop() is { } job)
        {
            _stats.JobRun();
            job.Run(this);
            if (job == target)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Shares a body that lies on this participant's stack (a caller-first loop's helper): the
    /// next job of the promoted-job stack carries it onto the deque, with a full notification
    /// (someone is idle, or the loop would not share). The job is taken back
    /// (<see cref="TryTakeBackShared"/>) or awaited (<see cref="WaitForShared"/>) before the body's
    /// frame returns, newest first like promoted halves, so it needs no per-type job. Null when
    /// the deque is full.
    /// </summary>
    /// <remarks>
    /// The shared job takes the next slot of the promoted-job stack, so every Join half older
    /// than it must already have its own (lower) slot: the Joins this loop runs inside are
    /// resolved after it, and the stack is freed newest first. So the recorded halves of those
    /// Joins are promoted first (they are older and bigger than the loop's pieces anyway); if one
    /// cannot be (a full deque), nothing is shared.
    /// </remarks>
    internal unsafe FrameJob? TryShareInPlace(void* body, delegate*<void*, Participant, void> run)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Only the owner pushes onto its deque.");
        if (HasRecordedFrames)
        {
            PromoteAllRecorded();
            if (OldestUnsharedFrame() is not null)
            {
                return null;
            }
        }

        FrameJob job = _frameJobs.At(Context.Parker, _promotedCount);
        job.Load(body, run);
        if (!Deque.TryPush(job))
        {
            job.Disarm();
            return null;
        }

        _promotedCount++;
        NotifyPushed();
        return job;
    }

    /// <summary>Takes back a job shared with <see cref="TryShareInPlace"/> if nobody took it (it never ran). False when someone took it: wait with <see cref="WaitForShared"/>.</summary>
    internal bool TryTakeBackShared(FrameJob job)
    {
        Debug.Assert(_promotedCount > 0 && _frameJobs[_promotedCount - 1] == job, "Shared jobs finish newest first.");
        if (!Deque.TryPopIfNewest(job))
        {
            return false;
        }

        job.Disarm();
        _promotedCount--;
        return true;
    }

    /// <summary>
    /// Helps with this pool's work until a shared job that someone took is done, then frees it.
    /// Uninterruptible (the job points into this stack); returns the job's exception.
    /// </summary>
    internal ExceptionDispatchInfo? WaitForShared(FrameJob job)
    {
        Debug.Assert(_promotedCount > 0 && _frameJobs[_promotedCount - 1] == job, "Shared jobs finish newest first.");
        var done = new JobDone(job);
        WaitUninterruptibly(ref done);
        _promotedCount--;
        return job.TakeError();
    }
}
