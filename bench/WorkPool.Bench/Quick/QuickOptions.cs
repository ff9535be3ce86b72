using System.Globalization;

namespace WorkPool.Bench.Quick;

/// <summary>The arguments of <c>quick [--threads N] [--repeat N]</c> and <c>quick --sweep 1,2,4 [--out DIR]</c>.</summary>
/// <param name="Threads">Worker threads of the pool; null: one per processor.</param>
/// <param name="Repeat">Fresh pools over which to report the worst "next 1000 times" allocation row; null: none.</param>
/// <param name="Sweep">Thread counts of the scaling sweep; null: the normal quick run.</param>
/// <param name="OutputDirectory">Where the sweep writes scaling.md and scaling.svg; null: docs/benchmarks of the repository.</param>
/// <param name="Only">Workload names to run (with capacity), skipping the allocation table and the statistics cost; null: every workload.</param>
internal sealed record QuickOptions(int? Threads, int? Repeat = null, IReadOnlyList<int>? Sweep = null, string? OutputDirectory = null, IReadOnlySet<string>? Only = null)
{
    internal const string Usage =
        "usage: WorkPool.Bench quick [--threads N] [--repeat R] [--only NAME1,NAME2,...]\n" +
        "       WorkPool.Bench quick --sweep N1,N2,... [--out DIR]\n" +
        "  --threads N   worker threads of the pool (default Environment.ProcessorCount)\n" +
        "  --repeat R    also print the worst \"next 1000 times\" allocation row over R fresh pools\n" +
        "  --only LIST   only these workloads (and capacity), no allocation table or statistics cost: for iterating\n" +
        "  --sweep LIST  only the scaling sweep: the parallel workloads at each thread count, each in a child process;\n" +
        "                prints the speedup table and writes scaling.md and scaling.svg (default into docs/benchmarks)";

    /// <summary>Most fresh pools <c>--repeat</c> takes.</summary>
    internal const int MaxRepeat = 10_000;

    /// <summary>The pool's options: <c>ThreadCount = N</c> when given, else the default (one per processor).</summary>
    internal WorkStealingPoolOptions PoolOptions()
    {
        var options = new WorkStealingPoolOptions();
        if (Threads is { } threads)
        {
            options.ThreadCount = threads;
        }

        return options;
    }

    /// <summary>Parses the arguments after <c>quick</c>; null (after printing why to <paramref name="error"/>) when they are invalid.</summary>
    internal static QuickOptions? Parse(ReadOnlySpan<string> args, TextWriter error)
    {
        int? threads = null;
        int? repeat = null;
        List<int>? sweep = null;
        string? outputDirectory = null;
        HashSet<string>? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            if (args[i] == "--threads" && TryParseCount(value, WorkStealingPoolOptions.MaxThreadCount, out int n))
            {
                threads = n;
                i++;
                continue;
            }

            if (args[i] == "--repeat" && TryParseCount(value, MaxRepeat, out int r))
            {
                repeat = r;
                i++;
                continue;
            }

            if (args[i] == "--sweep" && TryParseList(value, out List<int>? counts))
            {
                sweep = counts;
                i++;
                continue;
            }

            if (args[i] == "--only" && !string.IsNullOrWhiteSpace(value))
            {
                only = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                i++;
                continue;
            }

            if (args[i] == "--out" && !string.IsNullOrWhiteSpace(value))
            {
                outputDirectory = value;
                i++;
                continue;
            }

            return Invalid(error, $"unexpected or invalid argument '{args[i]}'");
        }

        if (sweep is not null && (threads is not null || repeat is not null))
        {
            return Invalid(error, "--sweep sets the thread counts itself and runs only the sweep: no --threads or --repeat with it");
        }

        if (only is not null && (sweep is not null || repeat is not null))
        {
            return Invalid(error, "--only is for the normal quick run: no --sweep or --repeat with it");
        }

        if (outputDirectory is not null && sweep is null)
        {
            return Invalid(error, "--out is for --sweep");
        }

        return new QuickOptions(threads, repeat, sweep, outputDirectory, only);
    }

    private static QuickOptions? Invalid(TextWriter error, string why)
    {
        error.WriteLine($"quick: {why}");
        error.WriteLine(Usage);
        return null;
    }

    private static bool TryParseCount(string? text, int max, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 1 && count <= max;

    /// <summary>A comma-separated list of distinct thread counts, e.g. <c>1,2,4,8,16</c>.</summary>
    private static bool TryParseList(string? text, out List<int>? counts)
    {
        counts = null;
        if (text is null)
        {
            return false;
        }

        var list = new List<int>();
        foreach (string part in text.Split(','))
        {
            if (!TryParseCount(part.Trim(), WorkStealingPoolOptions.MaxThreadCount, out int n) || list.Contains(n))
            {
                return false;
            }

            list.Add(n);
        }

        counts = list;
        return list.Count > 0;
    }
}
