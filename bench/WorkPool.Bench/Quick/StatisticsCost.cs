using System.Globalization;
using WorkPool.Bench.Workloads;
using WorkPool.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// What the statistics counters cost: <c>join_fib</c> and <c>install_empty</c> measured with
/// statistics enabled and with them disabled (<see cref="PoolStatistics.DisableSwitchName"/>,
/// which compiles the counting out), in one run. The switch is read once per process, so each
/// setting runs in a child process of this benchmark; the children alternate (off, on, off, on,
/// ...) so that drift of a shared machine hits both, and the best run of each setting counts.
/// </summary>
internal static class StatisticsCost
{
    /// <summary>The child's command line: <c>quick-statistics-probe on|off [--threads N]</c>.</summary>
    internal const string ProbeCommand = "quick-statistics-probe";

    private const int Pairs = 3;
    private const int InstallsPerRound = 20_000;
    private const string ResultMarker = "STATISTICS-COST";
    private static readonly string[] Workloads = ["join_fib", "install_empty"];

    /// <summary>Runs the children and prints one result line per workload and setting, then the ratios.</summary>
    internal static void Print(TextWriter output, QuickOptions options, int threads)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Statistics cost: {Pairs} child processes per setting, alternating, best run of each (target: on/off <= 1.05x)"));
        var best = new Dictionary<(string Workload, bool On), Measurement>();
        for (int pair = 0; pair < Pairs; pair++)
        {
            foreach (bool on in (ReadOnlySpan<bool>)[false, true])
            {
                foreach ((string workload, Measurement measurement) in RunChild(on, options))
                {
                    if (!best.TryGetValue((workload, on), out Measurement previous) || measurement.NsPerOp < previous.NsPerOp)
                    {
                        best[(workload, on)] = measurement;
                    }
                }
            }
        }

        foreach (string workload in Workloads)
        {
            foreach (bool on in (ReadOnlySpan<bool>)[false, true])
            {
                Measurement m = best[(workload, on)];
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"pool=workpool workload={workload}_statistics_{(on ? "on" : "off")} threads={threads} ns_per_op={Number(m.NsPerOp)} bytes_per_op={m.BytesPerOp:F2}"));
            }
        }

        foreach (string workload in Workloads)
        {
            double ratio = best[(workload, true)].NsPerOp / best[(workload, false)].NsPerOp;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"statistics cost {workload}: on/off = {ratio:F3}x"));
        }

        output.WriteLine();
    }

    /// <summary>The child: set the switch (before any pool exists), measure, print one marker line per workload.</summary>
    internal static int RunProbe(ReadOnlySpan<string> args)
    {
        if (args.Length == 0 || (args[0] != "on" && args[0] != "off") || QuickOptions.Parse(args[1..], Console.Error) is not { } options)
        {
            Console.Error.WriteLine($"usage: WorkPool.Bench {ProbeCommand} on|off [--threads N]");
            return 2;
        }

        bool on = args[0] == "on";
        AppContext.SetSwitch(PoolStatistics.DisableSwitchName, !on);
        if (PoolStatistics.IsEnabled != on)
        {
            Console.Error.WriteLine("the statistics switch did not take effect");
            return 1;
        }

        using var pool = new WorkStealingPool(options.PoolOptions());
        long expected = Fib.Sequential(Fib.N);
        Measurement fib = QuickHarness.Measure(Fib.JoinCount(Fib.N), () =>
        {
            if (Fib.InstallWorkPool(pool, Fib.N) != expected)
            {
                throw new InvalidOperationException("Wrong Fib result.");
            }
        });
        Measurement install = QuickHarness.Measure(InstallsPerRound, () =>
        {
            for (int i = 0; i < InstallsPerRound; i++)
            {
                Installs.WorkPool(pool);
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResultMarker} join_fib {fib.NsPerOp:R} {fib.BytesPerOp:R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResultMarker} install_empty {install.NsPerOp:R} {install.BytesPerOp:R}"));
        return 0;
    }

    private static List<(string Workload, Measurement Measurement)> RunChild(bool on, QuickOptions options)
    {
        List<string> arguments = [ProbeCommand, on ? "on" : "off"];
        if (options.Threads is { } threads)
        {
            arguments.Add("--threads");
            arguments.Add(threads.ToString(CultureInfo.InvariantCulture));
        }

        string text = ChildProcess.Run(arguments, environment: null, TimeSpan.FromMinutes(2), "the statistics probe");
        var results = new List<(string, Measurement)>();
        foreach (string line in text.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            if (parts.Length == 4 && parts[0] == ResultMarker)
            {
                results.Add((parts[1], new Measurement(
                    double.Parse(parts[2], CultureInfo.InvariantCulture),
                    double.Parse(parts[3], CultureInfo.InvariantCulture))));
            }
        }

        if (results.Count != Workloads.Length)
        {
            throw new InvalidOperationException($"The statistics probe printed {results.Count} results: {text}");
        }

        return results;
    }

    private static string Number(double value) =>
        value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);
}
