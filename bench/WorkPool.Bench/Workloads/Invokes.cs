namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>invoke_4</c>: four actions of about 1 µs each (ten <see cref="WorkFunction.Work"/> calls),
/// called from outside: <c>pool.Invoke(a, b, c, d)</c> against <c>Parallel.Invoke(a, b, c, d)</c>
/// and the four run one after another.
/// </summary>
internal static class Invokes
{
    /// <summary>The Work calls of one action.</summary>
    private const int CallsPerAction = 10;

    private static readonly ulong[] s_sinks = new ulong[4 * 8];

    /// <summary>What the four actions leave in their sinks, summed (the same for every contender).</summary>
    internal static ulong Expected { get; } = Enumerable.Range(0, 4).Aggregate(0UL, (sum, part) => sum + Part((ulong)part));

    /// <summary>One Invoke of the four actions on the pool (static lambdas: no allocation).</summary>
    internal static ulong WorkPool(WorkStealingPool pool)
    {
        pool.Invoke(static () => Run(0), static () => Run(1), static () => Run(2), static () => Run(3));
        return Collect();
    }

    /// <summary>The TPL counterpart.</summary>
    internal static ulong Tpl()
    {
        Parallel.Invoke(static () => Run(0), static () => Run(1), static () => Run(2), static () => Run(3));
        return Collect();
    }

    /// <summary>The four actions one after another.</summary>
    internal static ulong Sequential()
    {
        Run(0);
        Run(1);
        Run(2);
        Run(3);
        return Collect();
    }

    // Each part writes its own padded sink (8 ulongs apart), so the parts share no line.
    private static void Run(int part) => s_sinks[part * 8] = Part((ulong)part);

    private static ulong Part(ulong part)
    {
        ulong x = 0;
        for (int i = 0; i < CallsPerAction; i++)
        {
            x += WorkFunction.Work((part * CallsPerAction) + (ulong)i);
        }

        return x;
    }

    private static ulong Collect() => s_sinks[0] + s_sinks[8] + s_sinks[16] + s_sinks[24];
}
