namespace WorkPool;

/// <summary>
/// The waiter policy of a thread outside the pool (no participant): it runs nothing, spins for
/// the pool's spin count, then parks on the condition until whoever meets it unparks it.
/// </summary>
internal readonly struct OutsideWaiter(ThreadContext context, int spinCount) : IWaiter
{
    public WaitStep TryRunOne(int rounds) => WaitStep.Nothing;

    public bool KeepsSpinning(int rounds) => rounds < spinCount;

    public int Sleep<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        if (condition.TryRegister(context))
        {
            try
            {
                context.Parker.Park();
            }
            finally
            {
                condition.Unregister(context);
            }
        }

        // Past the budget: every later round with nothing met parks again.
        return spinCount;
    }

    public void Finish()
    {
    }
}
