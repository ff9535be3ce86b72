using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// How long a piece of a loop's cursor may run (see Loop.cs): a stop, a break, a cancellation or
/// an exception takes effect between pieces, so a loop that is told to end returns within about
/// one piece of the iterations already running, whatever its range. Pieces are sized from the
/// measured time per iteration, so a loop whose iterations take nanoseconds gets pieces of
/// millions and one whose iterations take milliseconds gets single iterations.
/// </summary>
internal static class LoopPacing
{
    /// <summary>The longest a piece should run (<see cref="SharingClock.PieceTarget"/>), in <see cref="Stopwatch"/> ticks.</summary>
    internal static long PieceTargetTicks => SharingClock.PieceTargetTicks;

    /// <summary>How many iterations take about <see cref="SharingClock.PieceTarget"/>, at the rate of <paramref name="iterations"/> in <paramref name="ticks"/>; at least <paramref name="grain"/>.</summary>
    internal static ulong Fit(ulong iterations, long ticks, ulong grain)
    {
        double fit = (double)iterations * PieceTargetTicks / Math.Max(ticks, 1);
        return fit >= ulong.MaxValue ? ulong.MaxValue : Math.Max(grain, (ulong)fit);
    }
}
