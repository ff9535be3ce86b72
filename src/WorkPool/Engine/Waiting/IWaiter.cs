namespace WorkPool;

/// <summary>What one round of a <see cref="WaitLoop"/> did, as its waiter reports it.</summary>
internal enum WaitStep
{
    /// <summary>Nothing to do this round: the loop pauses, or sleeps once the waiter's budget is spent.</summary>
    Nothing,

    /// <summary>The waiter ran a job: the round count starts over.</summary>
    Ran,

    /// <summary>The waiter changed state without running anything (it just became idle): the next round comes at once.</summary>
    Looked,
}

/// <summary>
/// A waiter policy for <see cref="WaitLoop.Run"/>: what the waiting thread may run meanwhile, how
/// long it keeps spinning, and how it sleeps. The condition (<see cref="IWakeCondition"/>) says
/// what ends the wait. Implemented by structs, so each wait is specialized and nothing a policy
/// does not need costs anything.
/// </summary>
internal interface IWaiter
{
    /// <summary>Looks for one job and runs it (or changes idle state); <paramref name="rounds"/> is the count of pauses since the waiter last ran something or slept.</summary>
    WaitStep TryRunOne(int rounds);

    /// <summary>Whether a round with nothing to do pauses (true) or sleeps (false).</summary>
    bool KeepsSpinning(int rounds);

    /// <summary>Sleeps until the condition may be met, or something to run may have arrived; returns the round count to go on with.</summary>
    int Sleep<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition;

    /// <summary>The condition is met: undo the waiter's idle state.</summary>
    void Finish();
}
