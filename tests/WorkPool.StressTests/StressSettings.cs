using System.Globalization;

namespace WorkPool.StressTests;

/// <summary>
/// How long the scenarios run. By default each one runs for a few seconds, so the whole suite
/// stays within the CI's budget (about 2 minutes on 2 cores); <c>WORKPOOL_STRESS_SCALE=N</c>
/// multiplies every scenario's running time by N (e.g. 30 for a run of about an hour).
/// </summary>
internal static class StressSettings
{
    public const string ScaleVariable = "WORKPOOL_STRESS_SCALE";

    /// <summary>Overrides <see cref="HangGrace"/> (seconds), e.g. to wait longer on a very slow machine.</summary>
    public const string HangVariable = "WORKPOOL_STRESS_HANG_SECONDS";

    /// <summary>The multiplier read from <see cref="ScaleVariable"/> (default 1).</summary>
    public static readonly double Scale = ReadNumber(ScaleVariable, 1, 0.05, 10_000);

    /// <summary>
    /// How long a scenario's threads may still take after its time budget ran out before it counts
    /// as hung: generous, far beyond what a correct engine needs to finish its last tree, so it
    /// is a hang bound and not a timing threshold.
    /// </summary>
    public static readonly TimeSpan HangGrace = TimeSpan.FromSeconds(ReadNumber(HangVariable, 90, 1, 86_400));

    /// <summary>Worker and caller stack size: deep trees nest pool calls and waits.</summary>
    public const int StackSize = 16 << 20;

    /// <summary>A scenario's running time: <paramref name="seconds"/> × <see cref="Scale"/>.</summary>
    public static TimeSpan Budget(double seconds) => TimeSpan.FromSeconds(seconds * Scale);

    private static double ReadNumber(string variable, double fallback, double min, double max)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < min || value > max)
        {
            throw new InvalidOperationException($"{variable} must be a number from {min} to {max}, not '{text}'.");
        }

        return value;
    }
}
