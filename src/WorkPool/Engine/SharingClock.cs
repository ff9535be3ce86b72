using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The engine's one clock: when work has run long enough to pay for moving it, how long a loop's
/// piece runs, and how often a sleeping watcher looks at offers. Every timing decision of the
/// engine reads its threshold here, and every threshold is derived from two values:
/// <list type="bullet">
/// <item><b>the hand-off</b> (<see cref="HandOffTicks"/>): what it costs on this machine to move
/// work to a participant that is not running it, measured from the wake-ups the pool performs
/// (a waker stamps the time before it unparks a sleeper; the sleeper, running again, records how
/// long that took). Until the process has measured any, it is <see cref="AssumedHandOff"/>.</item>
/// <item><b>the piece target</b> (<see cref="PieceTarget"/>): the longest a loop's piece runs, so
/// a stop, a break, a cancellation or an exception takes effect within about that long.</item>
/// </list>
/// The hand-off has two kinds, both measured, both starting at <see cref="AssumedHandOff"/>: a
/// sleeping worker's wake-up (<see cref="HandOffTicks"/>) and a searching participant's start on
/// work shared with it (<see cref="StealHandOffTicks"/>), which is never longer.
/// The derived thresholds, and why each is what it is, are in docs/design/sharing-clock.md.
/// </summary>
internal static class SharingClock
{
    /// <summary>
    /// The hand-off assumed before one is measured: a futex wake-up and a reschedule on the 2-core
    /// VMs this project is measured on take 10 to 30 µs (docs/benchmarks.md, <c>wake_latency</c>),
    /// so 20 µs. Measured wake-ups replace it within a few of them.
    /// </summary>
    internal static readonly TimeSpan AssumedHandOff = TimeSpan.FromMicroseconds(20);

    /// <summary>
    /// The longest a loop's piece should run: short against the millisecond a canceled loop may
    /// take to return, long against a claim (a CAS) and a clock read (tens of nanoseconds), so
    /// pacing costs well under 0.1% of a loop.
    /// </summary>
    internal static readonly TimeSpan PieceTarget = TimeSpan.FromMicroseconds(100);

    /// <summary><see cref="PieceTarget"/> in <see cref="Stopwatch"/> ticks.</summary>
    internal static readonly long PieceTargetTicks = Math.Max(1, ToTicks(PieceTarget));

    private static readonly long s_assumedHandOffTicks = Math.Max(1, ToTicks(AssumedHandOff));

    // A measured hand-off is kept within [assumed / 4, piece target]: a wake-up that found its
    // thread already running says little about the next, and one delayed by a preempted vCPU
    // must not make the pool stop sharing altogether.
    private static readonly long s_minHandOffTicks = Math.Max(1, s_assumedHandOffTicks / 4);

    // A steal sample is at least 1/32 of the assumed hand-off (0.625 µs): a searcher at the deque
    // starts a helper within 100 ns, but sharing a loop also costs the cursor's and the helper's
    // cache lines when it ends, about a microsecond on these VMs; with 100 ns samples, a 0.5 µs
    // loop (for_tiny) shared and took 0.82 µs instead of 0.53.
    private static readonly long s_minStealHandOffTicks = Math.Max(1, s_assumedHandOffTicks / 32);

    /// <summary>The current hand-off estimate: a moving average of measured wake-ups (a hint; racy updates each leave a measured value).</summary>
    private static long s_handOffTicks = s_assumedHandOffTicks;

    /// <summary>The current steal hand-off estimate: a moving average of measured starts of searchers (a hint, as the wake-up's).</summary>
    private static long s_stealHandOffTicks = s_assumedHandOffTicks;

    /// <summary>What moving work to a participant that is not running it costs, in <see cref="Stopwatch"/> ticks.</summary>
    internal static long HandOffTicks
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_handOffTicks);
    }

    /// <summary>
    /// What moving work to a participant that is searching costs, in <see cref="Stopwatch"/>
    /// ticks: from sharing it to the searcher running it (no futex, no reschedule: a steal and the
    /// cache lines it moves). At most the wake-up's <see cref="HandOffTicks"/>.
    /// </summary>
    internal static long StealHandOffTicks
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Math.Min(Volatile.Read(ref s_stealHandOffTicks), HandOffTicks);
    }

    /// <summary>
    /// Never split at a loss: a piece of work is shared (a Join half promoted, an offer claimed)
    /// only once it has run for one hand-off. Shorter work runs where it started, whoever is idle.
    /// Zero in the exploration build, which explores interleavings, not durations.
    /// </summary>
    internal static long ShareAfterTicks
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if SCHEDULE_POINTS
        get => 0;
#else
        get => HandOffTicks;
#endif
    }

    /// <summary><see cref="ShareAfterTicks"/> as a <see cref="TimeSpan"/>.</summary>
    internal static TimeSpan ShareAfter => Stopwatch.GetElapsedTime(0, ShareAfterTicks);

    /// <summary>
    /// While some participant searches, the shortest time between two promotions of one
    /// participant: two and a half hand-offs, so that the owner's splitting costs at most a small
    /// fraction of its work while the searchers still get a new half well before they give up.
    /// </summary>
    internal static long PromotionIntervalTicks => HandOffTicks * 5 / 2;

    /// <summary>
    /// How much work passes between two reads of the clock by a participant that Joins while
    /// someone is idle: a quarter hand-off, so a share happens at most a quarter late.
    /// </summary>
    internal static long CheckSpacingTicks => Math.Max(1, HandOffTicks / 4);

    /// <summary>
    /// How long a loop called from outside runs alone before it asks idle participants in, when
    /// every idle one sleeps: a quarter hand-off. Its helpers arrive about one hand-off later, so
    /// a loop that ends before that is faster alone, and a longer one loses at most a quarter
    /// hand-off of its work.
    /// </summary>
    internal static long LoopAloneTicks => Math.Max(1, HandOffTicks / 4);

    /// <summary>
    /// How long a loop called from outside runs alone before it asks idle participants in, when
    /// one of them searches: a steal round trip (two steal hand-offs: the searcher's start, and
    /// the caller's wait at the end for the searcher's last piece). A loop shorter than that is
    /// faster alone; a longer one gets its helper within microseconds instead of a quarter
    /// wake-up later. Never longer than <see cref="LoopAloneTicks"/>: a searcher is never a worse
    /// hand-off than a sleeper (until the steal is measured, both are the assumed hand-off).
    /// </summary>
    internal static long LoopAloneWithSearcherTicks => Math.Clamp(StealHandOffTicks * 2, 1, LoopAloneTicks);

    /// <summary>
    /// How long a loop alone runs doubling pieces before they are capped: a quarter of the piece
    /// target, so that the first capped piece (as long as all before it) ends near the target.
    /// </summary>
    internal static long PacedAloneTicks => PieceTargetTicks / 4;

    /// <summary>
    /// How long the watcher over offers sleeps between two looks (docs/design/offers.md): fifty
    /// hand-offs, so its wake-ups cost at most about 2% of a core, in whole milliseconds (the
    /// unit a timed park takes), and at least one. Every other timed look uses it too: a guest
    /// parked in its wait (R40) and Dispose polling for callers to leave (PollingWaiter).
    /// </summary>
    internal static int WatchPeriodMilliseconds => Math.Max(1, (int)Math.Round(Stopwatch.GetElapsedTime(0, HandOffTicks * 50).TotalMilliseconds));

    /// <summary>
    /// A woken participant measured its wake-up: <paramref name="ticks"/> from its waker's stamp
    /// to running again. Moves the hand-off estimate an eighth of the way to it (within the
    /// bounds above). Called on the wake-up path only, which already paid a futex call.
    /// </summary>
    internal static void RecordHandOff(long ticks) => MoveEstimate(ref s_handOffTicks, Math.Clamp(ticks, s_minHandOffTicks, PieceTargetTicks));

    /// <summary>
    /// A searching participant started work shared with it <paramref name="ticks"/> after the
    /// share (a loop's helper, see LoopHelper.cs): moves the steal estimate an eighth of the way to
    /// it, within [a 32nd of the assumed hand-off, the wake-up's hand-off]. A sample over twice the estimate is ignored: a
    /// searcher that was preempted, or gave up, slept and came back by a timeout (no waker
    /// stamped it), says nothing about the next steal, and such samples must not drag the estimate
    /// to a wake-up's (a slower machine still moves it up, by samples under twice the estimate).
    /// Called once per shared loop, off the pieces.
    /// </summary>
    internal static void RecordStealHandOff(long ticks)
    {
        long current = Volatile.Read(ref s_stealHandOffTicks);
        if (ticks > current * 2)
        {
            return;
        }

        MoveEstimate(ref s_stealHandOffTicks, Math.Clamp(ticks, s_minStealHandOffTicks, HandOffTicks));
    }

    // A plain read and write, not a CAS: two racing updates each leave a measured value, and the
    // estimate is a hint that only moves thresholds.
    private static void MoveEstimate(ref long estimate, long sample)
    {
        long current = Volatile.Read(ref estimate);
        Volatile.Write(ref estimate, current + ((sample - current) / 8));
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
