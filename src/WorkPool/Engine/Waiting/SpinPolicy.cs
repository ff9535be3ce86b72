namespace WorkPool;

/// <summary>How a thread burns one round of its spin budget before it parks.</summary>
internal static class SpinPolicy
{
    /// <summary>
    /// One short CPU pause (<c>Thread.SpinWait(1)</c>: tens of nanoseconds), so a waiter notices completion quickly; every 32nd round a
    /// yield instead, so that on an oversubscribed machine (more spinning threads than cores)
    /// the thread that would make progress gets the core.
    /// </summary>
    internal static void Pause(int round)
    {
        SchedulePoint.Spin();
        if ((round & 31) == 31)
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait(1);
        }
    }
}
