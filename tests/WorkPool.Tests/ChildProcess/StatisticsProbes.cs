using System.Globalization;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>The child-process side of <see cref="StatisticsProcessTests"/> (see <see cref="ProbeProgram"/>).</summary>
internal static class StatisticsProbes
{
    internal const string SigQuit = "stats-sigquit-probe";
    internal const string Disabled = "stats-disabled-probe";
    internal const string Ready = "READY";
    internal const string Exiting = "EXITING";
    internal const string DisabledResult = "DISABLED-RESULT";

    /// <summary>
    /// Registers the dump, keeps the workers busy with a loader thread, says READY, and waits for
    /// a line on stdin (the parent sends it after it has read the report).
    /// </summary>
    internal static int RunSigQuit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 3;
        }

        // No guest slots: the Installs go to the workers, so the report has a row per outside thread.
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, Name = "sigquit-probe", GuestSlots = 0 });
        for (int i = 0; i < 100; i++)
        {
            pool.Install(static () => { });
        }

        var stop = new Gate("the loader to stop");
        var loader = new Thread(() =>
        {
            while (!stop.IsOpen)
            {
                pool.Install(static () => { });
            }
        })
        {
            IsBackground = true,
        };
        loader.Start();
        using (pool.DumpStatisticsOnSigQuit(Console.Out))
        {
            Console.WriteLine(Ready);
            _ = Console.ReadLine();
        }

        stop.Signal();
        loader.Join();
        Console.WriteLine(Exiting);
        return 0;
    }

    /// <summary>Disables counting before the first pool, runs known work, prints what the statistics say.</summary>
    internal static int RunDisabled()
    {
        AppContext.SetSwitch(PoolStatistics.DisableSwitchName, true);
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2 });
        for (int i = 0; i < 100; i++)
        {
            pool.Install(static () => { });
        }

        var fib = new FibWork(pool, 20);
        pool.Install(ref fib);
        ThreadStatistics total = pool.GetStatistics().Total;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{DisabledResult} enabled={PoolStatistics.IsEnabled} installs={total.Installs} jobs={total.JobsRun} joins={total.JoinsInline + total.JoinsPromoted} checksum={fib.Result}"));
        return 0;
    }
}
