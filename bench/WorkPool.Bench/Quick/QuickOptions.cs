using System.Globalization;

namespace WorkPool.Bench.Quick;

/// <summary>The arguments of <c>quick [--threads N]</c>.</summary>
internal sealed record QuickOptions(int? Threads)
{
    internal const string Usage = "usage: WorkPool.Bench quick [--threads N]   (N: worker threads of the pool, default Environment.ProcessorCount)";

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
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads" && i + 1 < args.Length
                && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                && n >= 1 && n <= WorkStealingPoolOptions.MaxThreadCount)
            {
                threads = n;
                i++;
                continue;
            }

            error.WriteLine($"quick: unexpected or invalid argument '{args[i]}'");
            error.WriteLine(Usage);
            return null;
        }

        return new QuickOptions(threads);
    }
}
