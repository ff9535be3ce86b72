using BenchmarkDotNet.Running;
using WorkPool.Bench.Quick;
using WorkPool.Bench.Soak;

namespace WorkPool.Bench;

/// <summary>
/// <c>quick [--threads N] [--repeat R]</c> runs the quick side-by-side mode, <c>quick --sweep 1,2,4</c>
/// its scaling sweep (see <see cref="ScalingSweep"/>); <c>--soak --minutes N</c> the
/// soak run (see <see cref="SoakMode"/>); any other arguments go to
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

        if (args.Length > 0 && args[0] == ScalingSweep.ProbeCommand)
        {
            return ScalingSweep.RunProbe(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "--soak")
        {
            return SoakMode.Run(args.AsSpan(1));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
