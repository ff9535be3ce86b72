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
        using ChildProcessProbe child = ChildProcessProbe.Run(SpawnProbes.Unhandled);
        string output = child.Output;
        Assert.True(child.ExitCode != 0, $"the process survived an unhandled exception in a spawned job:\n{output}");
        Assert.Contains(SpawnProbes.Spawned, output, StringComparison.Ordinal);
        Assert.Contains("Unhandled exception", output, StringComparison.Ordinal);
        Assert.Contains(SpawnProbes.Message, output, StringComparison.Ordinal);
        Assert.DoesNotContain(SpawnProbes.Survived, output, StringComparison.Ordinal);
    }
}
