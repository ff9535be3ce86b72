using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// Which workers of a pool are asleep, so that new work wakes one of them, and only when one
/// exists: a busy pool's push does one plain read here and no syscall.
/// </summary>
/// <remarks>
/// <para>Protocol (no lost wake-ups). A worker going to sleep sets its state to Sleeping and
/// increments the count (both full fences), then looks for work once more, then parks. A
/// producer publishes its job, fences, then reads the count and, if it is not zero, claims a
/// sleeping worker with a CAS Sleeping→Awake, decrements the count and unparks it. Either the
/// producer's read sees the sleeper, or the sleeper's last look sees the job.</para>
/// <para>The count is a hint that can be briefly off by one while a claim and an announcement
/// cross; it is exact whenever no transition is in flight, and only decides whether to scan.</para>
/// <para>Jobs pushed on a worker's own deque (Join's second half) are read with a release store
/// and no fence, so the sleeper's last look may miss one. That costs parallelism for one job,
/// never correctness: the pushing worker pops it back itself if nobody takes it, and its next
/// push sees the sleeper.</para>
/// </remarks>
internal sealed class Sleepers
{
    private const int Awake = 0;
    private const int Sleeping = 1;

    private readonly Worker[] _workers;
    private PaddedInt32 _count;

    internal Sleepers(Worker[] workers) => _workers = workers;

    /// <summary>Number of workers asleep (a hint).</summary>
    internal int Count => Math.Max(0, Volatile.Read(ref _count.Value));

    /// <summary>Worker: announce that it is about to sleep. Must be followed by a last look for work.</summary>
    internal void Announce(Worker worker)
    {
        int previous = Interlocked.Exchange(ref worker.SleepState.Value, Sleeping);
        Debug.Assert(previous == Awake, "A worker announces sleep once.");
        Interlocked.Increment(ref _count.Value);
    }

    /// <summary>Worker, after its last look or after waking: leave the sleeping set if nobody claimed it.</summary>
    internal void Withdraw(Worker worker)
    {
        if (Interlocked.CompareExchange(ref worker.SleepState.Value, Awake, Sleeping) == Sleeping)
        {
            Interlocked.Decrement(ref _count.Value);
        }
    }

    /// <summary>Producer, after publishing a job and a full fence: wake one sleeper if any.</summary>
    internal void WakeOne()
    {
        if (Volatile.Read(ref _count.Value) != 0)
        {
            WakeOneSlow();
        }
    }

    private void WakeOneSlow()
    {
        foreach (Worker worker in _workers)
        {
            if (Interlocked.CompareExchange(ref worker.SleepState.Value, Awake, Sleeping) == Sleeping)
            {
                Interlocked.Decrement(ref _count.Value);
                worker.Context.Parker.Unpark();
                return;
            }
        }
    }

    /// <summary>Shutdown: unpark every worker, asleep or not (stale permits are harmless).</summary>
    internal void WakeAll()
    {
        foreach (Worker worker in _workers)
        {
            Withdraw(worker);
            worker.Context.Parker.Unpark();
        }
    }
}
