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

    /// <summary>The multiplier read from <see cref="ScaleVariable"/> (default 1).</summary>
    public static readonly double Scale = ReadScale();

    /// <summary>
    /// How long a scenario's threads may still take after its time budget ran out before it counts
    /// as hung: generous, far beyond what a correct engine needs to finish its last tree, so it
    /// is a hang bound and not a timing threshold.
    /// </summary>
    public static readonly TimeSpan HangGrace = TimeSpan.FromSeconds(90);

    /// <summary>Worker and caller stack size: deep trees nest pool calls and waits.</summary>
    public const int StackSize = 16 << 20;

    /// <summary>A scenario's running time: <paramref name="seconds"/> × <see cref="Scale"/>.</summary>
    public static TimeSpan Budget(double seconds) => TimeSpan.FromSeconds(seconds * Scale);

    private static double ReadScale()
    {
        string? text = Environment.GetEnvironmentVariable(ScaleVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 1;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || scale < 0.05 || scale > 10_000)
        {
            throw new InvalidOperationException($"{ScaleVariable} must be a number from 0.05 to 10000, not '{text}'.");
        }

        return scale;
    }
}
