using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// Statistics features that need a process of their own: the SIGQUIT dump (a signal goes to the
/// whole process) and the switch that disables counting (read once per process). Each test starts
/// this test assembly as a child (<c>dotnet WorkPool.Tests.dll &lt;probe&gt;</c>, see
/// <see cref="StatisticsProbes"/>) and reads its output; every step is bounded in time.
/// </summary>
public class StatisticsProcessTests
{
    [LinuxFact]
    public void SigQuit_WritesTheReport_FromAnotherThread_AndTheProcessKeepsRunning()
    {
        var lines = new ConcurrentQueue<string>();
        using Process child = StartProbe(StatisticsProbes.SigQuit, lines);
        try
        {
            Bounded.Until(() => lines.Contains(StatisticsProbes.Ready) || child.HasExited, "the probe to register its SIGQUIT dump");
            Assert.False(child.HasExited, $"the probe exited early:\n{string.Join('\n', lines)}");

            // A process that starts with SIGQUIT ignored (a background job of a non-interactive
            // shell) keeps it ignored in .NET, and then no dump can happen. Process.Start resets
            // the child's dispositions, so this holds; if it ever does not, say so plainly.
            Assert.False(SigQuitIgnored(child.Id), "the probe started with SIGQUIT ignored (inherited SIG_IGN): it cannot receive the signal");

            using (Process kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-QUIT", child.Id.ToString(CultureInfo.InvariantCulture) } })!)
            {
                Assert.True(kill.WaitForExit(Bounded.WaitLimit), "kill did not return");
                Assert.Equal(0, kill.ExitCode);
            }

            // The report ends with the outside threads' total line (the workers' table has one too).
            Bounded.Until(() => lines.Count(static l => l.StartsWith("total ", StringComparison.Ordinal)) >= 2 || child.HasExited, "the report after SIGQUIT");
            Assert.False(child.HasExited, $"SIGQUIT ended the probe:\n{string.Join('\n', lines)}");
            child.StandardInput.WriteLine("exit");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(Bounded.WaitLimit), "the probe did not exit after the report");
            child.WaitForExit(); // drains the asynchronous output readers
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        string output = string.Join('\n', lines);
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("WorkPool statistics: pool \"sigquit-probe\", 2 workers", output, StringComparison.Ordinal);
        Assert.Contains(StatisticsProbes.Exiting, output, StringComparison.Ordinal);

        // The main thread's row: exactly its 100 installs (the loader thread's count varies).
        Assert.Contains(lines, static l => l.StartsWith('#') && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "100");
    }

    [Fact]
    public void DisableSwitch_EveryCounterStaysZero()
    {
        var lines = new ConcurrentQueue<string>();
        using Process child = StartProbe(StatisticsProbes.Disabled, lines);
        try
        {
            Assert.True(child.WaitForExit(Bounded.TestLimit), "the probe hung");
            child.WaitForExit();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }

        string output = string.Join('\n', lines);
        Assert.True(child.ExitCode == 0, output);
        Assert.Contains($"{StatisticsProbes.DisabledResult} enabled=False installs=0 jobs=0 joins=0 checksum={Fib.Sequential(20)}", output, StringComparison.Ordinal);
    }

    /// <summary>Whether SIGQUIT (3) is in the ignored-signals mask of <c>/proc/pid/status</c>.</summary>
    private static bool SigQuitIgnored(int pid)
    {
        string? mask = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(static l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        Assert.True(mask is not null, "no SigIgn line in /proc/pid/status");
        ulong ignored = ulong.Parse(mask["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (ignored & (1UL << (3 - 1))) != 0;
    }

    internal static Process StartProbe(string probe, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo(AllocationTests.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(StatisticsProcessTests).Assembly.Location);
        start.ArgumentList.Add(probe);
        var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue("stderr: " + e.Data);
            }
        };
        Assert.True(child.Start(), "could not start the probe");
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }
}

/// <summary>The child-process side of <see cref="StatisticsProcessTests"/>, dispatched from <see cref="Program.Main"/>.</summary>
internal static class StatisticsProbes
{
    internal const string SigQuit = "stats-sigquit-probe";
    internal const string Disabled = "stats-disabled-probe";
    internal const string Ready = "READY";
    internal const string Exiting = "EXITING";
    internal const string DisabledResult = "DISABLED-RESULT";

    /// <summary>Runs the probe named <paramref name="command"/>; null when it names none.</summary>
    internal static int? Run(string command) => command switch
    {
        SigQuit => RunSigQuit(),
        Disabled => RunDisabled(),
        _ => null,
    };

    /// <summary>
    /// Registers the dump, keeps the workers busy with a loader thread, says READY, and waits for
    /// a line on stdin (the parent sends it after it has read the report).
    /// </summary>
    private static int RunSigQuit()
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

        var stop = new ManualResetEventSlim();
        var loader = new Thread(() =>
        {
            while (!stop.IsSet)
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

        stop.Set();
        loader.Join();
        stop.Dispose();
        Console.WriteLine(Exiting);
        return 0;
    }

    /// <summary>Disables counting before the first pool, runs known work, prints what the statistics say.</summary>
    private static int RunDisabled()
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

/// <summary>A fact that runs on Linux only and is reported as skipped elsewhere.</summary>
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: sends SIGQUIT with kill(1).";
        }
    }
}
