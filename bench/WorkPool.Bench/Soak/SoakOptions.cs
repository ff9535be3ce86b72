using System.Globalization;

namespace WorkPool.Bench.Soak;

/// <summary>The arguments of <c>--soak --minutes N [--threads T] [--callers C] [--report-seconds S] [--max-install-ms M]</c>.</summary>
internal sealed record SoakOptions(double Minutes, int? Threads, int Callers, int ReportSeconds, int MaxInstallMilliseconds)
{
    internal const string Usage =
        "usage: WorkPool.Bench --soak --minutes N [--threads T] [--callers C] [--report-seconds S] [--max-install-ms M]\n" +
        "  N: how long to run (minutes, may be fractional); T: worker threads of the main pool (default: processors);\n" +
        "  C: outside caller threads (default 4); S: seconds between progress lines (default 5);\n" +
        "  M: an Install slower than this fails the run (default 10000: a hang bound, not a performance target)";

    /// <summary>The pool's options: <c>ThreadCount = T</c> when given.</summary>
    internal WorkStealingPoolOptions PoolOptions()
    {
        var options = new WorkStealingPoolOptions { ThreadNamePrefix = "soak" };
        if (Threads is { } threads)
        {
            options.ThreadCount = threads;
        }

        return options;
    }

    /// <summary>Parses the arguments after <c>--soak</c>; null (after printing why to <paramref name="error"/>) when they are invalid.</summary>
    internal static SoakOptions? Parse(ReadOnlySpan<string> args, TextWriter error)
    {
        double? minutes = null;
        int? threads = null;
        int callers = 4;
        int reportSeconds = 5;
        int maxInstallMilliseconds = 10_000;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = args[i] switch
            {
                "--minutes" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double m) && m > 0 && m <= 7 * 24 * 60 && (minutes = m) is not null,
                "--threads" => TryInt(value, 1, WorkStealingPoolOptions.MaxThreadCount, out int t) && (threads = t) is not null,
                "--callers" => TryInt(value, 1, 256, out callers),
                "--report-seconds" => TryInt(value, 1, 3600, out reportSeconds),
                "--max-install-ms" => TryInt(value, 1, int.MaxValue, out maxInstallMilliseconds),
                _ => false,
            };
            if (!ok)
            {
                error.WriteLine($"--soak: unexpected or invalid argument '{args[i]}'{(value is null ? "" : $" '{value}'")}");
                error.WriteLine(Usage);
                return null;
            }

            i++;
        }

        if (minutes is null)
        {
            error.WriteLine("--soak: --minutes N is required");
            error.WriteLine(Usage);
            return null;
        }

        return new SoakOptions(minutes.Value, threads, callers, reportSeconds, maxInstallMilliseconds);
    }

    private static bool TryInt(string? text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
