using System.Collections.Concurrent;
using System.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// A fire-and-forget job whose exception nobody handles ends the process, as an unhandled
/// exception in a .NET thread-pool work item does: tested in a child process (see
/// <see cref="SpawnProbes"/>).
/// </summary>
public class SpawnProcessTests
{
    [Fact]
    public void FireAndForget_UnhandledException_WithoutHandler_EndsTheProcess()
    {
        var lines = new ConcurrentQueue<string>();
        using Process child = StatisticsProcessTests.StartProbe(SpawnProbes.Unhandled, lines);
        try
        {
            Assert.True(child.WaitForExit(Bounded.TestLimit), "the probe neither crashed nor exited");
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
        Assert.True(child.ExitCode != 0, $"the process survived an unhandled exception in a spawned job:\n{output}");
        Assert.Contains(SpawnProbes.Spawned, output, StringComparison.Ordinal);
        Assert.Contains("Unhandled exception", output, StringComparison.Ordinal);
        Assert.Contains(SpawnProbes.Message, output, StringComparison.Ordinal);
        Assert.DoesNotContain(SpawnProbes.Survived, output, StringComparison.Ordinal);
    }
}

/// <summary>The child-process side of <see cref="SpawnProcessTests"/>, dispatched from <see cref="Program.Main"/>.</summary>
internal static class SpawnProbes
{
    internal const string Unhandled = "spawn-unhandled-probe";
    internal const string Spawned = "SPAWNED";
    internal const string Survived = "SURVIVED";
    internal const string Message = "boom from a fire-and-forget job";

    /// <summary>Runs the probe named <paramref name="command"/>; null when it names none.</summary>
    internal static int? Run(string command) => command == Unhandled ? RunUnhandled() : null;

    /// <summary>Spawns a throwing job on a pool without a handler; the process must end before the wait does.</summary>
    private static int RunUnhandled()
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2 });
        using var never = new ManualResetEventSlim();
        pool.Spawn(static () => throw new InvalidOperationException(Message));
        Console.WriteLine(Spawned);
        // The crash ends the process long before this bound; reaching it is the failure.
        _ = never.Wait(Bounded.WaitLimit);
        Console.WriteLine(Survived);
        return 0;
    }
}
