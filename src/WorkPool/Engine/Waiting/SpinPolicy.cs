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

    /// <summary>Rounds of <see cref="Backoff"/> that only pause before it starts to sleep.</summary>
    private const int BackoffPauseRounds = 64;

    /// <summary>
    /// One round of a wait that nobody signals (Dispose waiting for callers to leave the pool):
    /// pauses for the first rounds, then sleeps about a millisecond per round on the calling
    /// thread's parker. Unlike <see cref="SpinWait"/> and <see cref="Thread.Sleep(int)"/>, which
    /// throw <see cref="ThreadInterruptedException"/> when the thread has an interrupt pending,
    /// nothing here can be interrupted (see <see cref="Parker"/>): the interrupt stays pending.
    /// </summary>
    internal static void Backoff(ref int round)
    {
        if (round < BackoffPauseRounds)
        {
            Pause(round++);
            return;
        }

        // A permit left over from an earlier wake-up only shortens one round.
        _ = ThreadContext.Current.Parker.Park(1);
    }
}
