using System.Diagnostics;
using WorkPool.Bench.Workloads;
using WorkPool.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>What a latency-trials workload reports: the standard figures (median ns per op) and its p90.</summary>
/// <param name="Measurement">Median nanoseconds and process-wide bytes per operation.</param>
/// <param name="P90Ns">The 90th percentile, nanoseconds.</param>
/// <param name="TrialsNotAsleep">Trials in which not every worker was asleep when the Install began (WorkPool only; always 0 for TPL, which cannot be asked).</param>
internal readonly record struct LatencyTrials(Measurement Measurement, double P90Ns, int TrialsNotAsleep);

/// <summary>
/// <c>wake_latency</c>: the pool idles <see cref="Idle"/> (every worker asleep), then the bench
/// thread calls Install of an empty body; one operation is that Install, over
/// <see cref="Trials"/> trials (after one untimed trial). TPL: the same with
/// <c>Task.Run(() => { }).Wait()</c> after the same idle time.
/// </summary>
/// <remarks>
/// The sleeps here are the workload (they create the idleness), not synchronization. For
/// WorkPool the pool's own statistics say whether every worker is asleep; if one is not yet,
/// the trial idles on, up to <see cref="MaxExtraIdle"/>, and counts as not asleep after that.
/// The bytes are those the whole process allocates during the Installs themselves.
/// </remarks>
internal static class WakeLatency
{
    /// <summary>Timed trials per contender.</summary>
    internal const int Trials = 20;

    /// <summary>Idle time before each trial.</summary>
    internal static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest the trial idles on when a worker is still awake after <see cref="Idle"/>.</summary>
    internal static readonly TimeSpan MaxExtraIdle = TimeSpan.FromMilliseconds(500);

    internal static LatencyTrials WorkPool(WorkStealingPool pool)
    {
        // The first fill sizes the snapshot; later fills allocate nothing.
        var statistics = new PoolStatistics();
        pool.GetStatistics(statistics);
        return Run(
            () =>
            {
                pool.GetStatistics(statistics);
                return statistics.SleepingWorkers == pool.ThreadCount;
            },
            () => Installs.WorkPool(pool));
    }

    internal static LatencyTrials Tpl() => Run(allAsleep: null, Installs.Tpl);

    private static LatencyTrials Run(Func<bool>? allAsleep, Action install)
    {
        Span<double> ns = stackalloc double[Trials];
        long bytes = 0;
        int notAsleep = 0;
        for (int trial = -1; trial < Trials; trial++)
        {
            Thread.Sleep(Idle);
            bool asleep = allAsleep is null || WaitUntilAsleep(allAsleep);
            long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            long start = Stopwatch.GetTimestamp();
            install();
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
            if (trial >= 0)
            {
                ns[trial] = elapsed.TotalNanoseconds;
                bytes += allocated;
                notAsleep += asleep ? 0 : 1;
            }
        }

        double p90 = Percentile.Of(ns, 90);
        return new LatencyTrials(new Measurement(QuickHarness.Median(ns), (double)bytes / Trials), p90, notAsleep);
    }

    private static bool WaitUntilAsleep(Func<bool> allAsleep)
    {
        long start = Stopwatch.GetTimestamp();
        while (!allAsleep())
        {
            if (Stopwatch.GetElapsedTime(start) > MaxExtraIdle)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }
}
