namespace WorkPool;

/// <summary>How a thread burns one round of its spin budget before it parks.</summary>
internal static class SpinPolicy
{
    /// <summary>
    /// Short CPU pauses that grow with <paramref name="round"/>, with a yield every few rounds so
    /// that on an oversubscribed machine (more spinning threads than cores) the thread that would
    /// make progress gets the core.
    /// </summary>
    internal static void Pause(int round)
    {
        if ((round & 7) == 7)
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait(Math.Min(4 << Math.Min(round, 4), 64));
        }
    }
}
