using BenchmarkDotNet.Running;
using WorkPool.Bench.Quick;

namespace WorkPool.Bench;

/// <summary>
/// <c>quick [--threads N]</c> runs the quick side-by-side mode; any other arguments go to
/// BenchmarkDotNet (for example <c>--filter *InstallEmpty* --job short</c>).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            return QuickMode.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == StatisticsCost.ProbeCommand)
        {
            return StatisticsCost.RunProbe(args.AsSpan(1));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
