using System.Diagnostics;
using System.Globalization;

namespace WorkPool.Tests;

/// <summary>
/// Statistics features that need a process of their own: the SIGQUIT dump (a signal goes to the
/// whole process) and the switch that disables counting (read once per process). Each test runs
/// a probe of <see cref="StatisticsProbes"/> in a child process (<see cref="ChildProcessProbe"/>)
/// and reads its output; every step is bounded in time.
/// </summary>
public class StatisticsProcessTests
{
    [LinuxFact]
    public void SigQuit_WritesTheReport_FromAnotherThread_AndTheProcessKeepsRunning()
    {
        using ChildProcessProbe child = ChildProcessProbe.Start(StatisticsProbes.SigQuit);
        Bounded.Until(() => child.Lines.Contains(StatisticsProbes.Ready) || child.HasExited, "the probe to register its SIGQUIT dump");
        Assert.False(child.HasExited, $"the probe exited early:\n{child.Output}");

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
        Bounded.Until(() => child.Lines.Count(static l => l.StartsWith("total ", StringComparison.Ordinal)) >= 2 || child.HasExited, "the report after SIGQUIT");
        Assert.False(child.HasExited, $"SIGQUIT ended the probe:\n{child.Output}");
        child.WriteLineAndCloseInput("exit");
        child.WaitForExit(Bounded.WaitLimit, "the probe did not exit after the report");

        string output = child.Output;
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("WorkPool statistics: pool \"sigquit-probe\", 2 workers", output, StringComparison.Ordinal);
        Assert.Contains(StatisticsProbes.Exiting, output, StringComparison.Ordinal);

        // The main thread's row: exactly its 100 installs (the loader thread's count varies).
        Assert.Contains(child.Lines, static l => l.StartsWith('#') && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "100");
    }

    [Fact]
    public void DisableSwitch_EveryCounterStaysZero()
    {
        using ChildProcessProbe child = ChildProcessProbe.Run(StatisticsProbes.Disabled);
        string output = child.Output;
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
