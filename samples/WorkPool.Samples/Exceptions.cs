using WorkPool;

namespace Samples;

public static class Exceptions
{
    /// <summary>How many of <paramref name="items"/> failed validation, or 0 when none did.</summary>
    public static int CountInvalid(WorkStealingPool pool, int[] items)
    {
        // <snippet:exceptions-loop>
        try
        {
            pool.For(0, items.Length, items, static (items, i) => Validate(items[i]));
        }
        catch (AggregateException e)   // a loop always throws this, however many iterations failed
        {
            return e.InnerExceptions.Count;   // at least one; more depends on when the loop stopped
        }
        // </snippet:exceptions-loop>

        return 0;
    }

    /// <summary>The installed work's result, or null when <paramref name="token"/> was canceled before it started.</summary>
    public static int? DoubleUnlessCanceled(WorkStealingPool pool, int value, CancellationToken token)
    {
        // <snippet:exceptions-install>
        try
        {
            // The work's own exception arrives as itself, not wrapped.
            return pool.Install(value, static v => checked(v * 2), token);
        }
        catch (OperationCanceledException)   // the token skipped the work: it never started
        {
            return null;
        }
        // </snippet:exceptions-install>
    }

    private static void Validate(int item)
    {
        if (item < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, "negative");
        }
    }
}
