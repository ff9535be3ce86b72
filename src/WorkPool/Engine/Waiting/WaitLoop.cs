namespace WorkPool;

/// <summary>
/// The engine's one wait loop: every wait of a thread in or on the pool (a participant's stolen
/// half, scope, broadcast or ring room, a worker's main loop, an outside thread's Install or
/// room in a ring) runs here, with a waiter policy (<see cref="IWaiter"/>) that says what it
/// may run meanwhile, how long it spins, and how it sleeps; the condition says when it ends.
/// </summary>
/// <remarks>
/// The loop itself holds no state but the round count, and it never sleeps on its own: a
/// policy's <see cref="IWaiter.Sleep"/> registers on the condition (or in the pool's sleeping
/// set) and re-checks before it parks, so a lost wake-up is the policy's Dekker pair to rule
/// out (see <see cref="IWakeCondition"/>), never the loop's.
/// </remarks>
internal static class WaitLoop
{
    /// <summary>Runs rounds of <paramref name="waiter"/> until <paramref name="condition"/> is met.</summary>
    internal static void Run<TCondition, TWaiter>(ref TCondition condition, ref TWaiter waiter)
        where TCondition : struct, IWakeCondition
        where TWaiter : struct, IWaiter
    {
        int rounds = 0;
        while (!condition.IsMet())
        {
            switch (waiter.TryRunOne(rounds))
            {
                case WaitStep.Ran:
                    rounds = 0;
                    break;

                case WaitStep.Looked:
                    break;

                default:
                    if (waiter.KeepsSpinning(rounds))
                    {
                        SpinPolicy.Pause(rounds++);
                    }
                    else
                    {
                        rounds = waiter.Sleep(ref condition);
                    }

                    break;
            }
        }

        waiter.Finish();
    }
}
