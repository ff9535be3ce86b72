namespace WorkPool;

/// <summary>
/// The waiter policy of a wait that nobody signals (Dispose waiting for callers to leave the
/// pool): it runs nothing, pauses for the first rounds, then sleeps one watch period per round
/// (<see cref="SharingClock.WatchPeriodMilliseconds"/>, a millisecond on most machines) on the
/// calling thread's parker and looks again. It never registers on its condition. Unlike
/// <see cref="SpinWait"/> and <see cref="Thread.Sleep(int)"/>, which throw
/// <see cref="ThreadInterruptedException"/> when the thread has an interrupt pending, nothing here
/// can be interrupted (see <see cref="Parker"/>): the interrupt stays pending.
/// </summary>
internal readonly struct PollingWaiter(ThreadContext context) : IWaiter
{
    /// <summary>Rounds that only pause before the waiter starts to sleep between looks.</summary>
    private const int PauseRounds = 64;

    public WaitStep TryRunOne(int rounds) => WaitStep.Nothing;

    public bool KeepsSpinning(int rounds) => rounds < PauseRounds;

    public int Sleep<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        // A permit left over from an earlier wake-up only shortens one round.
        _ = context.Parker.Park(SharingClock.WatchPeriodMilliseconds);
        return PauseRounds;
    }

    public void Finish()
    {
    }
}
