using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace WorkPool.Bench.Quick;

/// <summary>
/// <c>quick [--threads N] [--repeat R]</c>: the side-by-side run of WORKLOADS.md — allocation table, one
/// result line per workload and contender, ratio table, then what statistics cost
/// (<see cref="StatisticsCost"/>) — in about a minute.
/// </summary>
internal static class QuickMode
{
    internal static int Run(ReadOnlySpan<string> args)
    {
        if (QuickOptions.Parse(args, Console.Error) is not { } options)
        {
            return 2;
        }

        if (options.Sweep is not null)
        {
            return ScalingSweep.Run(options, Console.Out);
        }

        long start = Stopwatch.GetTimestamp();
        WorkStealingPoolOptions poolOptions = options.PoolOptions();
        TextWriter output = Console.Out;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"WorkPool quick bench: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} processors, WorkPool ThreadCount={poolOptions.ThreadCount}, TPL as configured"));
        output.WriteLine();

        if (options.Only is null)
        {
            AllocationTable.Print(output, poolOptions);
        }

        if (options.Repeat is { } pools)
        {
            AllocationTable.PrintWorstOverFreshPools(output, poolOptions, pools);
        }

        var report = new QuickReport(output);
        using (var pool = new WorkStealingPool(poolOptions))
        {
            new QuickWorkloads(pool, poolOptions, report).RunAll(options.Only);
        }

        report.PrintRatioTable();
        output.WriteLine();
        if (options.Only is null)
        {
            StatisticsCost.Print(output, options, poolOptions.ThreadCount);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quick mode took {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));

        // A workload that checks its jobs (install_under_flood) printed FAILED: the run fails.
        return report.HasFailures ? 1 : 0;
    }
}
