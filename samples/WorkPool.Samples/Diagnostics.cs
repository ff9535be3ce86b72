using WorkPool;
using WorkPool.Diagnostics;

namespace Samples;

public static class Diagnostics
{
    public static (long JoinsInline, string Report) ReadStatistics(WorkStealingPool pool)
    {
        // <snippet:statistics>
        var stats = new PoolStatistics();   // reuse it: reading allocates nothing after the first fill
        pool.GetStatistics(stats);
        Console.WriteLine(stats.Total.JoinsInline);
        Console.WriteLine(stats);           // the report below
        // </snippet:statistics>
        return (stats.Total.JoinsInline, stats.ToString());
    }

    // <snippet:allocation-test>
    public static AllocationStep MeasureInstalls()
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2 });
        var stats = new AllocationStatistics(capacity: 8);

        // Warm up with the very step you measure: a lambda's cached delegate is created the
        // first time its expression runs, and each thread sets up its context on first use.
        Action<WorkStealingPool> installs = static p =>
        {
            for (int i = 0; i < 1000; i++) p.Install(static () => { });
        };
        stats.Measure("warm-up", pool, installs);
        stats.Measure("warm-up", pool, installs);
        stats.Clear();

        // Process-wide bytes count every thread of the process: take the best of a few rounds.
        for (int round = 0; round < 3; round++)
        {
            stats.Measure("pool.Install(static () => {}) x 1000", pool, installs);
        }

        AllocationStep best = stats[0];
        foreach (AllocationStep step in stats.Steps)
        {
            if (step.Bytes < best.Bytes) best = step;
        }

        return best;   // a test asserts best.Bytes == 0 and best.ThisThreadBytes == 0
    }
    // </snippet:allocation-test>
}
