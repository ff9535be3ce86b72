using System.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The measuring loop of quick mode (WORKLOADS.md): one warm-up round, so that tiered JIT has
/// promoted the hot code, then timed rounds; the median time per operation, and the bytes the
/// whole process allocated over the timed rounds per operation.
/// </summary>
internal static class QuickHarness
{
    /// <summary>Timed rounds per measurement, unless a workload asks for fewer.</summary>
    internal const int DefaultRounds = 7;

    /// <summary>
    /// Measures <paramref name="round"/>, which performs <paramref name="opsPerRound"/> operations
    /// each time it is called. The warm-up is one round, i.e. 1/<paramref name="rounds"/> (≥ 10%)
    /// of the timed calls.
    /// </summary>
    internal static Measurement Measure(long opsPerRound, Action round, int rounds = DefaultRounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opsPerRound, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rounds, 10);
        ArgumentNullException.ThrowIfNull(round);

        round();

        Span<double> nsPerOp = stackalloc double[rounds];
        long bytes = 0;
        for (int r = 0; r < rounds; r++)
        {
            long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            round();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            bytes += GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
            nsPerOp[r] = elapsed.TotalNanoseconds / opsPerRound;
        }

        return new Measurement(Median(nsPerOp), (double)bytes / (opsPerRound * rounds));
    }

    private static double Median(Span<double> values)
    {
        values.Sort();
        int middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
