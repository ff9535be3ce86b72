using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace WorkPool.Bench.Quick;

/// <summary>
/// <c>quick --sweep 1,2,4,8,16 [--out DIR]</c>: the workloads with a parallel part (see
/// <see cref="QuickWorkloads.RunScaling"/>) at each thread count, each count in a child process
/// of its own; prints the speedup table (WorkPool and TPL against the sequential line of the same
/// child) and writes it as <c>scaling.md</c>, with a speedup-vs-threads chart per workload as
/// <c>scaling.svg</c>, into <c>docs/benchmarks</c> of the repository (or DIR).
/// </summary>
/// <remarks>
/// A child gets <c>--threads N</c> and <c>DOTNET_PROCESSOR_COUNT=N</c>: the runtime then sizes
/// its own thread pool and <c>Parallel.*</c> for N processors, so TPL runs at the same thread
/// count as WorkPool. A fresh process per count also means a fresh pool, fresh JIT state and no
/// threads left over from the count before.
/// </remarks>
internal static partial class ScalingSweep
{
    /// <summary>The child's command line: <c>quick-sweep-probe --threads N</c>.</summary>
    internal const string ProbeCommand = "quick-sweep-probe";

    /// <summary>The workloads of the sweep, in table order.</summary>
    internal static readonly string[] Workloads = ["join_fib", "tree_sum", "tree_sum_small", "for_small", "for_nested", "for_coarse", "scope_spawn"];

    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(15);

    internal static int Run(QuickOptions options, TextWriter output)
    {
        IReadOnlyList<int> counts = options.Sweep ?? throw new ArgumentException("No thread counts.", nameof(options));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"WorkPool scaling sweep: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} processors, thread counts {string.Join(", ", counts)} (one child process each)"));
        var results = new SweepResults();
        string? loadBefore = LoadAverage();
        foreach (int threads in counts)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads={threads}: child with --threads {threads}, DOTNET_PROCESSOR_COUNT={threads}"));
            string text = ChildProcess.Run(
                [ProbeCommand, "--threads", threads.ToString(CultureInfo.InvariantCulture)],
                new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = threads.ToString(CultureInfo.InvariantCulture) },
                ChildTimeout,
                $"the sweep child for {threads} threads");
            foreach (string line in text.Split('\n'))
            {
                if (results.TryAdd(threads, line.Trim()))
                {
                    output.WriteLine(line.Trim());
                }
            }
        }

        string markdown = Markdown(counts, results, loadBefore, LoadAverage());
        output.WriteLine();
        output.Write(markdown);

        string directory = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks"));
        Directory.CreateDirectory(directory);
        string markdownPath = Path.Combine(directory, "scaling.md");
        string chartPath = Path.Combine(directory, "scaling.svg");
        File.WriteAllText(markdownPath, markdown);
        ScalingChart.WriteSvg(chartPath, counts, results, Workloads);
        output.WriteLine();
        output.WriteLine($"wrote {markdownPath}");
        output.WriteLine($"wrote {chartPath}");
        return 0;
    }

    /// <summary>The child: one pool of N workers, the sweep's workloads, the standard result lines on stdout.</summary>
    internal static int RunProbe(ReadOnlySpan<string> args)
    {
        if (QuickOptions.Parse(args, Console.Error) is not { Threads: not null, Sweep: null, Repeat: null } options)
        {
            Console.Error.WriteLine($"usage: WorkPool.Bench {ProbeCommand} --threads N");
            return 2;
        }

        WorkStealingPoolOptions poolOptions = options.PoolOptions();
        var report = new QuickReport(Console.Out);
        using (var pool = new WorkStealingPool(poolOptions))
        {
            new QuickWorkloads(pool, poolOptions, report).RunScaling();
        }

        return 0;
    }

    /// <summary>The folder holding WorkPool.sln above the current directory, else the current directory.</summary>
    private static string RepositoryRoot()
    {
        for (DirectoryInfo? folder = new(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WorkPool.sln")))
            {
                return folder.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }

    /// <summary>The 1-minute load average (Linux, /proc/loadavg), or null where there is none.</summary>
    private static string? LoadAverage()
    {
        const string path = "/proc/loadavg";
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Split(' ')[0] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Markdown(IReadOnlyList<int> counts, SweepResults results, string? loadBefore, string? loadAfter)
    {
        var text = new StringBuilder();
        text.AppendLine("# Scaling sweep");
        text.AppendLine();
        text.AppendLine(Format(
            $"`WorkPool.Bench quick --sweep {string.Join(',', counts)}` on {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} processors ({RuntimeInformation.OSDescription}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC."));
        text.AppendLine();
        text.AppendLine("Each thread count ran in a child process of its own with `--threads N` and `DOTNET_PROCESSOR_COUNT=N`, so the");
        text.AppendLine("WorkPool pool has N workers and TPL (`Parallel.*` and the .NET thread pool) is sized for N processors too.");
        text.AppendLine("Speedup = sequential ns/op ÷ ns/op, both measured in the same child (the sequential line always runs on one");
        text.AppendLine("thread). `capacity` is the machine's own ceiling: N plain threads running the sequential `for_small` loop at");
        text.AppendLine("once against one. Thread counts above the number of processors show the cost of oversubscription, not scaling.");
        text.AppendLine("`join_fib`'s TPL figure is per Join of Fib(25), as in quick mode. Chart: `scaling.svg` beside this file.");
        if (loadBefore is not null && loadAfter is not null)
        {
            text.AppendLine();
            text.AppendLine(Format(
                $"Load average (1 min) {loadBefore} when the sweep began, {loadAfter} when it ended, on {Environment.ProcessorCount} processors: well above {Environment.ProcessorCount}, other processes shared the cores and every figure here is noisy (`capacity` at 1 thread, 1.00x by definition, shows how much)."));
        }
        text.AppendLine();
        text.AppendLine("## Speedup over sequential: WorkPool / TPL");
        text.AppendLine();
        text.Append("| workload |");
        foreach (int threads in counts)
        {
            text.Append(Format($" {threads} |"));
        }

        text.AppendLine();
        text.Append("|---|");
        text.Append(string.Concat(Enumerable.Repeat("---:|", counts.Count)));
        text.AppendLine();
        foreach (string workload in Workloads)
        {
            text.Append(Format($"| {workload} |"));
            foreach (int threads in counts)
            {
                text.Append(Format($" {Speedup(results.Speedup(threads, workload, Contender.WorkPool))} / {Speedup(results.Speedup(threads, workload, Contender.Tpl))} |"));
            }

            text.AppendLine();
        }

        text.Append("| capacity (hardware) |");
        foreach (int threads in counts)
        {
            text.Append(Format($" {Speedup(results.Capacity(threads))} |"));
        }

        text.AppendLine();
        text.AppendLine();
        text.AppendLine("## ns per operation");
        text.AppendLine();
        text.AppendLine("| workload | threads | WorkPool ns/op | TPL ns/op | sequential ns/op | WorkPool speedup | TPL speedup |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (string workload in Workloads)
        {
            foreach (int threads in counts)
            {
                text.AppendLine(Format(
                    $"| {workload} | {threads} | {Ns(results.NsPerOp(threads, workload, Contender.WorkPool))} | {Ns(results.NsPerOp(threads, workload, Contender.Tpl))} | {Ns(results.NsPerOp(threads, workload, Contender.Sequential))} | {Speedup(results.Speedup(threads, workload, Contender.WorkPool))} | {Speedup(results.Speedup(threads, workload, Contender.Tpl))} |"));
            }
        }

        return text.ToString();
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Ns(double? ns) => ns is { } value ? value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) : "—";

    private static string Speedup(double? speedup) => speedup is { } value ? value.ToString("F2", CultureInfo.InvariantCulture) + "x" : "—";

    /// <summary>The result lines of the children, by thread count, workload and contender.</summary>
    internal sealed partial class SweepResults
    {
        private readonly Dictionary<(int Threads, string Workload, Contender Pool), double> _nsPerOp = [];
        private readonly Dictionary<int, double> _capacity = [];

        /// <summary>Takes a standard result line of the child for <paramref name="threads"/>; false for any other line.</summary>
        internal bool TryAdd(int threads, string line)
        {
            Match match = ResultLine().Match(line);
            if (!match.Success)
            {
                return false;
            }

            string pool = match.Groups["pool"].Value;
            double value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            if (pool == Contender.Hardware.Label() && match.Groups["kind"].Value == "speedup")
            {
                _capacity[threads] = value;
                return true;
            }

            Contender? contender = pool switch
            {
                "workpool" => Contender.WorkPool,
                "tpl" => Contender.Tpl,
                "sequential" => Contender.Sequential,
                _ => null,
            };
            if (contender is null || match.Groups["kind"].Value != "ns_per_op")
            {
                return false;
            }

            _nsPerOp[(threads, match.Groups["workload"].Value, contender.Value)] = value;
            return true;
        }

        internal double? NsPerOp(int threads, string workload, Contender pool) =>
            _nsPerOp.TryGetValue((threads, workload, pool), out double ns) ? ns : null;

        /// <summary>Sequential ns/op ÷ the contender's, in the same child.</summary>
        internal double? Speedup(int threads, string workload, Contender pool) =>
            NsPerOp(threads, workload, Contender.Sequential) is { } sequential && NsPerOp(threads, workload, pool) is { } ns && ns > 0
                ? sequential / ns
                : null;

        internal double? Capacity(int threads) => _capacity.TryGetValue(threads, out double speedup) ? speedup : null;

        [GeneratedRegex(@"^pool=(?<pool>\w+) workload=(?<workload>\w+) threads=\d+ (?<kind>ns_per_op|speedup)=(?<value>[0-9.]+)")]
        private static partial Regex ResultLine();
    }
}
