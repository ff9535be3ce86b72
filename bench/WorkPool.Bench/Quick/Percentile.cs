namespace WorkPool.Bench.Quick;

/// <summary>Latency percentiles of quick mode: the nearest-rank method, so a figure is always one that was measured.</summary>
internal static class Percentile
{
    /// <summary>The <paramref name="percent"/>th percentile of <paramref name="values"/> (sorts them in place).</summary>
    internal static double Of(Span<double> values, double percent)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        values.Sort();
        int rank = (int)Math.Ceiling(percent / 100 * values.Length);
        return values[Math.Max(rank, 1) - 1];
    }
}
