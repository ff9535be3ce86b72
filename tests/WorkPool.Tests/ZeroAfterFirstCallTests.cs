using System.Globalization;

namespace WorkPool.Tests;

#if NET9_0_OR_GREATER
/// <summary>
/// Zero after the first call: for every form, after one call of a shape, every later call of
/// that shape allocates exactly 0 bytes process-wide, whichever participants run its pieces.
/// Each form runs in a child process (<see cref="ZeroAfterFirstCallProbe"/>): 20 repetitions, each
/// a fresh pool of a random thread count with one warm-up call, then 10,000 calls (1,000 for the forms whose every call wakes every worker) measured while
/// a disturber perturbs scheduling; every repetition must read 0 bytes (not the best of them).
/// </summary>
/// <remarks>
/// Runs on .NET 10 only: the forms take minutes on 2 cores, and the net8.0 leg keeps its 0 B
/// checks of every form in <see cref="AllocationTests"/>.
/// </remarks>
public class ZeroAfterFirstCallTests
{
    public static TheoryData<string> Forms()
    {
        var forms = new TheoryData<string>();
        foreach (ZeroShape shape in ZeroShapes.All)
        {
            forms.Add(shape.Name);
        }

        return forms;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void AfterOneCall_EveryLaterCallAllocatesNothing_InEveryRepetition(string form)
    {
        using ChildProcessProbe child = ChildProcessProbe.Run(ZeroAfterFirstCallProbe.Command, form);
        Assert.True(child.ExitCode == 0, $"probe exit code {child.ExitCode}:\n{child.Output}");
        var bytes = new List<string>();
        int zeros = 0;
        foreach (string line in child.Lines)
        {
            string[] parts = line.Split('\t');
            if (parts.Length == 4 && parts[0] == ZeroAfterFirstCallProbe.ResultMarker)
            {
                long allocated = long.Parse(parts[3], CultureInfo.InvariantCulture);
                zeros += allocated == 0 ? 1 : 0;
                bytes.Add($"rep {parts[1]} (threads {parts[2]}): {allocated} B");
            }
        }

        Assert.True(
            bytes.Count == ZeroAfterFirstCallProbe.Repetitions && zeros == bytes.Count,
            $"{form}: {zeros} of {bytes.Count} repetitions (of {ZeroAfterFirstCallProbe.Repetitions}) allocated 0 B over {(ZeroShapes.TryGet(form, out ZeroShape? shape) ? shape.Calls : 0)} calls:\n{string.Join('\n', bytes)}\n{child.Output}");
    }
}
#endif
