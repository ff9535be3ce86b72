using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WorkPool.Diagnostics;

/// <summary>
/// What one thread did in a pool (a worker, or an outside thread that called into it), or the
/// sum over all of them (<see cref="PoolStatistics.Total"/>): a value read from the pool's
/// statistics registry. Every count only grows over the pool's life.
/// </summary>
/// <remarks>
/// Counts that belong to a job are made before the job completes, so after an
/// <c>Install</c> returns, the statistics read on the calling thread include everything that
/// Install's job did. Read while the pool is busy, counters of different threads are read one
/// after the other, not at one instant.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct ThreadStatistics
{
    internal ThreadStatistics(StatisticsSlot slot)
    {
        Kind = slot.IsGuest ? ThreadStatisticsKind.Guest
            : slot.WorkerIndex >= 0 ? ThreadStatisticsKind.Worker
            : slot.IsShared ? ThreadStatisticsKind.SharedOutsideSlot
            : ThreadStatisticsKind.OutsideThread;
        WorkerIndex = slot.WorkerIndex;
        ManagedThreadId = Volatile.Read(ref slot.ManagedThreadId);
        ThreadsServed = Volatile.Read(ref slot.Claims);
        ref StatisticsCounters c = ref slot.Counters;
        JobsRun = Volatile.Read(ref c.JobsRun);
        JobsStolen = Volatile.Read(ref c.JobsStolen);
        FailedSteals = Volatile.Read(ref c.FailedSteals);
        InjectorJobs = Volatile.Read(ref c.InjectorJobs);
        JoinsInline = Volatile.Read(ref c.JoinsInline);
        JoinsPromoted = Volatile.Read(ref c.JoinsPromoted);
        JoinsTakenBack = Volatile.Read(ref c.JoinsTakenBack);
        JoinHalvesTaken = Volatile.Read(ref c.JoinHalvesTaken);
        Sleeps = Volatile.Read(ref c.Sleeps);
        Wakeups = Volatile.Read(ref c.Wakeups);
        MaxDequeDepth = Volatile.Read(ref c.MaxDequeDepth);
        AllocatedBytes = Volatile.Read(ref c.AllocatedBytes);
        Installs = Volatile.Read(ref c.Installs);
        RingFullWaits = Volatile.Read(ref c.RingFullWaits);
        RingBlockedTicks = Volatile.Read(ref c.RingBlockedTicks);
        JobsSpawned = Volatile.Read(ref c.JobsSpawned);
    }

    /// <summary>A worker, an outside thread, the shared slot of outside threads, or the total.</summary>
    public ThreadStatisticsKind Kind { get; private init; }

    /// <summary>The worker's index in its pool, or −1 (outside threads, total).</summary>
    public int WorkerIndex { get; private init; }

    /// <summary>The managed thread id of the worker, or of the slot's current or last owner (outside threads); −1 for the shared slot and the total.</summary>
    public int ManagedThreadId { get; private init; }

    /// <summary>Outside slots: how many threads have used the slot (a slot passes to a new thread after its owner exits); 0 for workers.</summary>
    public int ThreadsServed { get; private init; }

    /// <summary>
    /// Jobs this worker executed through its scheduler loop: published jobs from the injector,
    /// spawned jobs, promoted Join halves, broadcast parts (Join halves run inline, and spawns run
    /// inline because a deque was full, are not counted).
    /// </summary>
    public long JobsRun { get; private init; }

    /// <summary>Jobs spawned on this worker (<c>Spawn</c>, <c>Scope.Spawn</c>) that it pushed onto its deque.</summary>
    public long JobsSpawned { get; private init; }

    /// <summary>Jobs this worker stole from another worker's deque.</summary>
    public long JobsStolen { get; private init; }

    /// <summary>Steal attempts on a deque that looked non-empty and came back without a job (another thread took it first).</summary>
    public long FailedSteals { get; private init; }

    /// <summary>Jobs this worker took from the injector ring (work published by outside threads).</summary>
    public long InjectorJobs { get; private init; }

    /// <summary>Joins whose second half ran inline on this worker because nobody asked for it: the fast path.</summary>
    public long JoinsInline { get; private init; }

    /// <summary>Joins whose second half this participant shared: promoted to its deque for an idle participant, or claimed by one from its offer (docs/design/offers.md).</summary>
    public long JoinsPromoted { get; private init; }

    /// <summary>Promoted halves that their Join popped back and ran inline (nobody took them in time).</summary>
    public long JoinsTakenBack { get; private init; }

    /// <summary>Shared halves that ran as jobs (normally on another participant) while their Join waited: the Joins that really forked.</summary>
    public long JoinHalvesTaken { get; private init; }

    /// <summary>Times this worker parked (went to sleep) after its spin budget.</summary>
    public long Sleeps { get; private init; }

    /// <summary>Times a producer woke this worker from its sleep for new work.</summary>
    public long Wakeups { get; private init; }

    /// <summary>The most jobs this worker's deque held at once (measured when it pushes); in <see cref="PoolStatistics.Total"/>, the maximum over workers.</summary>
    public long MaxDequeDepth { get; private init; }

    /// <summary>
    /// Bytes this worker's thread has allocated since it started, sampled when it goes idle (not
    /// per job), so it can lag behind while the worker is busy. Includes what user code running
    /// on the worker allocated.
    /// </summary>
    public long AllocatedBytes { get; private init; }

    /// <summary>
    /// Jobs published into the pool's injector ring: by outside threads, each Install, Join or
    /// Scope called from outside, each loop called from outside that handed pieces to the workers
    /// (one short enough to finish on the calling thread publishes nothing), and each Spawn from
    /// outside; on a worker's row, spawns that found its deque full.
    /// </summary>
    public long Installs { get; private init; }

    /// <summary>Publications into the injector ring that found it full and had to wait.</summary>
    public long RingFullWaits { get; private init; }

    /// <summary>Time spent waiting for a slot in a full injector ring.</summary>
    public TimeSpan RingBlockedTime => Stopwatch.GetElapsedTime(0, RingBlockedTicks);

    internal long RingBlockedTicks { get; private init; }

    /// <summary>The sum of two rows (<see cref="MaxDequeDepth"/>: the larger), kind <see cref="ThreadStatisticsKind.Total"/>.</summary>
    internal static ThreadStatistics Sum(in ThreadStatistics a, in ThreadStatistics b) => new()
    {
        Kind = ThreadStatisticsKind.Total,
        WorkerIndex = -1,
        ManagedThreadId = -1,
        ThreadsServed = a.ThreadsServed + b.ThreadsServed,
        JobsRun = a.JobsRun + b.JobsRun,
        JobsStolen = a.JobsStolen + b.JobsStolen,
        FailedSteals = a.FailedSteals + b.FailedSteals,
        InjectorJobs = a.InjectorJobs + b.InjectorJobs,
        JoinsInline = a.JoinsInline + b.JoinsInline,
        JoinsPromoted = a.JoinsPromoted + b.JoinsPromoted,
        JoinsTakenBack = a.JoinsTakenBack + b.JoinsTakenBack,
        JoinHalvesTaken = a.JoinHalvesTaken + b.JoinHalvesTaken,
        Sleeps = a.Sleeps + b.Sleeps,
        Wakeups = a.Wakeups + b.Wakeups,
        MaxDequeDepth = Math.Max(a.MaxDequeDepth, b.MaxDequeDepth),
        AllocatedBytes = a.AllocatedBytes + b.AllocatedBytes,
        Installs = a.Installs + b.Installs,
        RingFullWaits = a.RingFullWaits + b.RingFullWaits,
        RingBlockedTicks = a.RingBlockedTicks + b.RingBlockedTicks,
        JobsSpawned = a.JobsSpawned + b.JobsSpawned,
    };
}
