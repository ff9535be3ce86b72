using System.Globalization;

namespace WorkPool.Bench.Quick;

/// <summary>
/// Prints the machine-readable result lines of quick mode as they arrive (one per workload and
/// contender, exactly as WORKLOADS.md spells them) and, at the end, the ratio table.
/// </summary>
internal sealed class QuickReport(TextWriter output)
{
    private readonly List<string> _workloads = [];
    private readonly Dictionary<(string Workload, Contender Pool), Measurement> _results = [];
    private readonly List<string> _notes = [];
    private readonly List<(string Workload, string Percentile, double WorkPoolNs, double TplNs)> _percentiles = [];

    /// <summary>True once <see cref="Fail"/> was called: quick mode then exits non-zero.</summary>
    internal bool HasFailures { get; private set; }

    /// <summary>
    /// Records and prints <c>pool=… workload=… threads=… ns_per_op=… bytes_per_op=…</c>, then
    /// <paramref name="extra"/> (more <c>name=value</c> figures of the same line) when given.
    /// </summary>
    internal void Add(string workload, Contender pool, int threads, Measurement measurement, string? extra = null)
    {
        if (!_workloads.Contains(workload))
        {
            _workloads.Add(workload);
        }

        _results[(workload, pool)] = measurement;
        string figures = $"ns_per_op={Number(measurement.NsPerOp)} bytes_per_op={measurement.BytesPerOp.ToString("F2", CultureInfo.InvariantCulture)}";
        WriteLine(pool, workload, threads, extra is null ? figures : figures + " " + extra);
    }

    /// <summary>The <c>efficiency=</c> figure of a loop line: sequential time / (time × capacity).</summary>
    internal static string Efficiency(double nsPerOp, double sequentialNsPerOp, double capacity) =>
        "efficiency=" + (sequentialNsPerOp / (nsPerOp * capacity)).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The <c>p50_ns=… p99_ns=… cpu_percent=…</c> figures of a latency line.</summary>
    internal static string Latency(double p50Ns, double p99Ns, double cpuPercent) =>
        string.Create(CultureInfo.InvariantCulture, $"p50_ns={p50Ns:F0} p99_ns={p99Ns:F0} cpu_percent={cpuPercent:F1}");

    /// <summary>Prints <c>pool=hardware workload=capacity threads=N speedup=X</c>.</summary>
    internal void AddCapacity(int threads, double speedup)
    {
        string value = speedup.ToString("F2", CultureInfo.InvariantCulture);
        _notes.Add($"capacity: {threads} plain threads run {value}x the work of one");
        WriteLine(Contender.Hardware, "capacity", threads, $"speedup={value}");
    }

    /// <summary>Prints <c>pool=… workload=idle_cpu threads=… cpu_percent=…</c>.</summary>
    internal void AddIdleCpu(Contender pool, int threads, double percent)
    {
        string value = percent.ToString("F1", CultureInfo.InvariantCulture);
        _notes.Add($"idle_cpu ({pool.Label()}): {value}% of one core");
        WriteLine(pool, "idle_cpu", threads, $"cpu_percent={value}");
    }

    /// <summary>Prints <c>WORKLOAD pNN: workpool=X µs tpl=Y µs</c> (a latency percentile, beside the standard lines) and keeps it for the latency table.</summary>
    internal void AddPercentile(string workload, string percentile, double workPoolNs, double tplNs)
    {
        _percentiles.Add((workload, percentile, workPoolNs, tplNs));
        output.WriteLine($"{workload} {percentile}: workpool={Micros(workPoolNs)} µs tpl={Micros(tplNs)} µs");
    }

    /// <summary>Adds a line to the notes under the ratio table.</summary>
    internal void AddNote(FormattableString note) => _notes.Add(note.ToString(CultureInfo.InvariantCulture));

    /// <summary>Prints <c>FAILED: …</c> at once and repeats it under the ratio table; quick mode then exits non-zero.</summary>
    internal void Fail(string message)
    {
        HasFailures = true;
        _notes.Add("FAILED: " + message);
        output.WriteLine("FAILED: " + message);
    }

    /// <summary>Prints the markdown table of ratios (WorkPool/TPL, WorkPool/sequential) and the other figures.</summary>
    internal void PrintRatioTable()
    {
        output.WriteLine();
        output.WriteLine("| workload | WorkPool ns/op | TPL ns/op | WorkPool/TPL | sequential ns/op | WorkPool/sequential | WorkPool B/op | TPL B/op |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string workload in _workloads)
        {
            Measurement? workPool = Find(workload, Contender.WorkPool);
            // object_pool has no TPL line: its baseline, DefaultObjectPool, takes that column.
            Measurement? tpl = Find(workload, Contender.Tpl) ?? Find(workload, Contender.DefaultObjectPool);
            Measurement? sequential = Find(workload, Contender.Sequential);
            output.WriteLine(
                $"| {workload} | {Ns(workPool)} | {Ns(tpl)} | {Ratio(workPool, tpl)} | {Ns(sequential)} | {Ratio(workPool, sequential)} | {Bytes(workPool)} | {Bytes(tpl)} |");
        }

        if (_percentiles.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| workload | latency | WorkPool µs | TPL µs | WorkPool/TPL |");
            output.WriteLine("|---|---|---:|---:|---:|");
            foreach ((string workload, string percentile, double workPoolNs, double tplNs) in _percentiles)
            {
                string ratio = tplNs > 0 ? (workPoolNs / tplNs).ToString("F2", CultureInfo.InvariantCulture) + "x" : "—";
                output.WriteLine($"| {workload} | {percentile} | {Micros(workPoolNs)} | {Micros(tplNs)} | {ratio} |");
            }
        }

        output.WriteLine();
        foreach (string note in _notes)
        {
            output.WriteLine(note);
        }
    }

    private static string Number(double value) =>
        value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Micros(double ns) =>
        (ns / 1000).ToString(ns < 10_000 ? "F2" : "F1", CultureInfo.InvariantCulture);

    private static string Ns(Measurement? m) => m is { } value ? Number(value.NsPerOp) : "—";

    private static string Bytes(Measurement? m) =>
        m is { } value ? value.BytesPerOp.ToString("F2", CultureInfo.InvariantCulture) : "—";

    private static string Ratio(Measurement? numerator, Measurement? denominator) =>
        numerator is { } n && denominator is { } d && d.NsPerOp > 0
            ? (n.NsPerOp / d.NsPerOp).ToString("F2", CultureInfo.InvariantCulture) + "x"
            : "—";

    private Measurement? Find(string workload, Contender pool) =>
        _results.TryGetValue((workload, pool), out Measurement m) ? m : null;

    private void WriteLine(Contender pool, string workload, int threads, string figures) =>
        output.WriteLine($"pool={pool.Label()} workload={workload} threads={threads.ToString(CultureInfo.InvariantCulture)} {figures}");
}
