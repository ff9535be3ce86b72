namespace WorkPool;

/// <summary>Whether the engine counts at all in this process (see <see cref="Diagnostics.PoolStatistics.DisableSwitchName"/>).</summary>
internal static class Statistics
{
    /// <summary>
    /// Read once, when the process first needs it. A <c>static readonly</c> bool: optimized code
    /// treats it as a constant, so with statistics disabled every counting hook compiles to
    /// nothing (that is how the benchmark measures what counting costs).
    /// </summary>
    internal static readonly bool IsEnabled =
        !(AppContext.TryGetSwitch(Diagnostics.PoolStatistics.DisableSwitchName, out bool disabled) && disabled);
}
