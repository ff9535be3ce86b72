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
    /// <summary>The longest a piece should run: short against the millisecond a canceled loop may take to return, long against a claim (a CAS) and a clock read.</summary>
    internal static readonly TimeSpan PieceTarget = TimeSpan.FromMicroseconds(100);

    /// <summary><see cref="PieceTarget"/> in <see cref="Stopwatch"/> ticks.</summary>
    internal static readonly long PieceTargetTicks = Math.Max(1, (long)(PieceTarget.TotalSeconds * Stopwatch.Frequency));

    /// <summary>How many iterations take about <see cref="PieceTarget"/>, at the rate of <paramref name="iterations"/> in <paramref name="ticks"/>; at least <paramref name="grain"/>.</summary>
    internal static ulong Fit(ulong iterations, long ticks, ulong grain)
    {
        double fit = (double)iterations * PieceTargetTicks / Math.Max(ticks, 1);
        return fit >= ulong.MaxValue ? ulong.MaxValue : Math.Max(grain, (ulong)fit);
    }
}
