using System.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// Runs this benchmark again as a child process, for what one process cannot measure twice: a
/// switch read once per process (<see cref="StatisticsCost"/>) or a thread count the runtime
/// fixes at startup (<see cref="ScalingSweep"/>).
/// </summary>
internal static class ChildProcess
{
    /// <summary>Starts the child with <paramref name="arguments"/> (and <paramref name="environment"/> added), waits, and returns its standard output; throws if it fails or outlives <paramref name="timeout"/>.</summary>
    /// <param name="what">Names the child in exceptions.</param>
    internal static string Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, string what)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException($"No process path to start {what}.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Started as "dotnet WorkPool.Bench.dll": the child needs the assembly too.
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach ((string name, string value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {what}.");
        Task<string> stdout = child.StandardOutput.ReadToEndAsync();
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(timeout))
        {
            child.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Sentence(what)} hung.");
        }

        child.WaitForExit();
        string text = stdout.GetAwaiter().GetResult();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Sentence(what)} failed ({child.ExitCode}): {text}{stderr.GetAwaiter().GetResult()}");
        }

        return text;
    }

    private static string Sentence(string what) => string.Concat(what[..1].ToUpperInvariant(), what.AsSpan(1));
}
