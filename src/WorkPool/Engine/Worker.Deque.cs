using System.Diagnostics;

namespace WorkPool;

// Jobs a participant shares through its own deque besides promoted Join halves: spawned jobs
// and the helper job of a caller-first loop.
internal sealed partial class Worker
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

    /// <summary>
    /// A guest's caller-first loop shares its helper job: onto the deque, then a full
    /// notification (someone is idle, or the loop would not share). False when the deque is full.
    /// </summary>
    internal bool TryShare(Job job)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Only the owner pushes onto its deque.");
        if (!Deque.TryPush(job))
        {
            return false;
        }

        NotifyPushed();
        return true;
    }

    /// <summary>Takes back a job shared with <see cref="TryShare"/> if nobody took it (it never ran, and is disarmed). False when someone took it: wait with <see cref="WaitForShared"/>.</summary>
    internal bool TryTakeBack(AwaitedJob job)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Only the owner pops from its deque.");
        if (!Deque.TryPopIfNewest(job))
        {
            return false;
        }

        job.Disarm();
        return true;
    }

    /// <summary>
    /// Helps with this pool's work until a shared job that someone took is done. Uninterruptible
    /// (the job may point into this stack).
    /// </summary>
    internal void WaitForShared(AwaitedJob job)
    {
        var done = new JobDone(job);
        WaitUninterruptibly(ref done);
    }
}
