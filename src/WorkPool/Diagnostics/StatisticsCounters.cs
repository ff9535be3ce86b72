using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// The counters of one <see cref="StatisticsSlot"/>, with a cache line of padding on each side
/// (slots are allocated one after another, and each is written by a different thread).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = CacheLine.Size + (16 * sizeof(long)) + CacheLine.Size)]
internal struct StatisticsCounters
{
    private const int First = CacheLine.Size;

    [FieldOffset(First + (0 * sizeof(long)))]
    public long JobsRun;

    [FieldOffset(First + (1 * sizeof(long)))]
    public long JobsStolen;

    [FieldOffset(First + (2 * sizeof(long)))]
    public long FailedSteals;

    [FieldOffset(First + (3 * sizeof(long)))]
    public long InjectorJobs;

    [FieldOffset(First + (4 * sizeof(long)))]
    public long JoinsInline;

    [FieldOffset(First + (5 * sizeof(long)))]
    public long JoinsPromoted;

    [FieldOffset(First + (6 * sizeof(long)))]
    public long JoinsTakenBack;

    [FieldOffset(First + (7 * sizeof(long)))]
    public long JoinHalvesTaken;

    [FieldOffset(First + (8 * sizeof(long)))]
    public long Sleeps;

    [FieldOffset(First + (9 * sizeof(long)))]
    public long Wakeups;

    [FieldOffset(First + (10 * sizeof(long)))]
    public long MaxDequeDepth;

    [FieldOffset(First + (11 * sizeof(long)))]
    public long AllocatedBytes;

    [FieldOffset(First + (12 * sizeof(long)))]
    public long Installs;

    [FieldOffset(First + (13 * sizeof(long)))]
    public long RingFullWaits;

    [FieldOffset(First + (14 * sizeof(long)))]
    public long RingBlockedTicks;

    [FieldOffset(First + (15 * sizeof(long)))]
    public long JobsSpawned;
}
