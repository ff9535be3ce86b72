using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace WorkPool.Tests;

/// <summary>
/// Child-process probes for failures that used to end the process (an unhandled interrupt on an
/// idle worker, a stack overflow): a regression kills the probe, not the test host. Dispatched
/// from <see cref="Program.Main"/>; each prints one result line and exits 0 when it survived.
/// </summary>
internal static class RobustnessProbes
{
    internal const string IdleInterrupt = "idle-interrupt-probe";
    internal const string IdleInterruptResult = "IDLE-INTERRUPT survived";

    /// <summary>Runs the probe named <paramref name="command"/>; null when it names none.</summary>
    internal static int? Run(string command) => command switch
    {
        IdleInterrupt => RunIdleInterrupt(),
        _ => null,
    };

    /// <summary>Starts the probe in a child process and asserts its exit code and its result line.</summary>
    internal static void RunAndAssert(string probe, int expectedExitCode, string expectedLine)
    {
        var lines = new ConcurrentQueue<string>();
        using Process child = StatisticsProcessTests.StartProbe(probe, lines);
        try
        {
            Assert.True(child.WaitForExit(Bounded.TestLimit), "the probe hung");
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
        Assert.True(child.ExitCode == expectedExitCode, $"exit code {child.ExitCode}, expected {expectedExitCode}:\n{output}");
        Assert.Contains(expectedLine, output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A job interrupts its own worker; the workers go to sleep; the pool keeps working, and the
    /// interrupt is still pending on that worker for a later job's interruptible wait.
    /// </summary>
    private static int RunIdleInterrupt()
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, ThreadNamePrefix = "idle-interrupt" });
        int interrupted = -1;
        using (var done = new ManualResetEventSlim())
        {
            pool.Spawn(() =>
            {
                interrupted = WorkStealingPool.CurrentWorkerIndex;
                Thread.CurrentThread.Interrupt();
                done.Set();
            });
            Bounded.Wait(done, "the interrupting job");
        }

        // Every worker asleep (the interrupted one included): this is where the process died.
        var statistics = new Diagnostics.PoolStatistics();
        Bounded.Until(() =>
        {
            pool.GetStatistics(statistics);
            return statistics.SleepingWorkers == pool.ThreadCount;
        }, "every worker to sleep");

        var pending = new bool[pool.ThreadCount];
        pool.Broadcast(pending, static (pending, index) => pending[index] = InterruptTests.InterruptPending());
        long fib = pool.Install(static () => Fib.Static(20));
        string seen = string.Join(',', pending);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worker {interrupted} interrupted; pending after sleeping: {seen}; fib {fib}"));
        bool ok = interrupted >= 0 && pending.Count(static p => p) == 1 && pending[interrupted] && fib == Fib.Sequential(20);
        if (ok)
        {
            Console.WriteLine(IdleInterruptResult);
        }

        return ok ? 0 : 1;
    }
}
