using System.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The measuring loop of quick mode (WORKLOADS.md): warm-up rounds, so that tiered JIT has
/// promoted the hot code, then timed rounds; the median time per operation, and the bytes the
/// whole process allocated over the timed rounds per operation.
/// </summary>
/// <remarks>
/// The warm-up is at least one round (1/7 ≥ 10% of the timed calls) and lasts at least
/// <see cref="MinimumWarmUp"/>: tiered JIT promotes a method only after a 100 ms quiet period
/// and then compiles it in the background (through an instrumented tier with dynamic PGO), so
/// a short first round would leave the timed rounds running unoptimized code.
/// </remarks>
internal static class QuickHarness
{
    /// <summary>Timed rounds per measurement.</summary>
    internal const int Rounds = 7;

    /// <summary>The shortest warm-up; measured on a 2-core VM, tier-up of the hot loops ends after about 250 ms.</summary>
    internal static readonly TimeSpan MinimumWarmUp = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Measures <paramref name="round"/>, which performs <paramref name="opsPerRound"/> operations
    /// each time it is called.
    /// </summary>
    internal static Measurement Measure(long opsPerRound, Action round)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opsPerRound, 1);
        ArgumentNullException.ThrowIfNull(round);

        long warmUpStart = Stopwatch.GetTimestamp();
        do
        {
            round();
        }
        while (Stopwatch.GetElapsedTime(warmUpStart) < MinimumWarmUp);

        Span<double> nsPerOp = stackalloc double[Rounds];
        long bytes = 0;
        for (int r = 0; r < Rounds; r++)
        {
            long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            round();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            bytes += GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
            nsPerOp[r] = elapsed.TotalNanoseconds / opsPerRound;
        }

        return new Measurement(Median(nsPerOp), (double)bytes / (opsPerRound * Rounds));
    }

    /// <summary>
    /// Measures <paramref name="round"/>, which performs <paramref name="opsPerRound"/> operations
    /// around untimed setup of its own (making workers busy, draining a flood) and returns the
    /// nanoseconds its operations took, summed. Warm-up and rounds as in
    /// <see cref="Measure(long, Action)"/>; the bytes are still the whole round's, process-wide.
    /// </summary>
    internal static Measurement MeasureSelfTimed(long opsPerRound, Func<double> round)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opsPerRound, 1);
        ArgumentNullException.ThrowIfNull(round);

        long warmUpStart = Stopwatch.GetTimestamp();
        do
        {
            round();
        }
        while (Stopwatch.GetElapsedTime(warmUpStart) < MinimumWarmUp);

        Span<double> nsPerOp = stackalloc double[Rounds];
        long bytes = 0;
        for (int r = 0; r < Rounds; r++)
        {
            long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            double ns = round();
            bytes += GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
            nsPerOp[r] = ns / opsPerRound;
        }

        return new Measurement(Median(nsPerOp), (double)bytes / (opsPerRound * Rounds));
    }

    /// <summary>The median of <paramref name="values"/> (sorts them in place).</summary>
    internal static double Median(Span<double> values)
    {
        values.Sort();
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
