namespace WorkPool.Tests;

/// <summary>The child-process side of <see cref="SpawnProcessTests"/> (see <see cref="ProbeProgram"/>).</summary>
internal static class SpawnProbes
{
    internal const string Unhandled = "spawn-unhandled-probe";
    internal const string Spawned = "SPAWNED";
    internal const string Survived = "SURVIVED";
    internal const string Message = "boom from a fire-and-forget job";

    /// <summary>Spawns a throwing job on a pool without a handler; the process must end before the wait does.</summary>
    internal static int RunUnhandled()
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
