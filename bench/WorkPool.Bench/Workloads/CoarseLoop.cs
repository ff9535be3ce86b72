namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>for_coarse</c>: from an external thread, a parallel loop over [0, 256) whose body folds
/// 200 calls of <c>Work</c> (about 20 µs) into <c>output[i]</c>; one operation is the whole loop.
/// Few, long iterations: the loop must spread them, not just start fast. Against
/// <c>Parallel.For(0, 256, ...)</c>.
/// </summary>
internal static class CoarseLoop
{
    /// <summary>Iterations of the loop.</summary>
    internal const int Length = 256;

    /// <summary>Work calls per iteration.</summary>
    internal const int WorkPerIteration = 200;

    /// <summary>The loop on the pool, through the allocation-free struct form.</summary>
    internal static void WorkPool(WorkStealingPool pool, ulong[] output)
    {
        var body = new Body(output);
        pool.For(0, Length, ref body);
    }

    /// <summary>The loop with <see cref="Parallel.For(int, int, Action{int})"/>.</summary>
    internal static void Tpl(ulong[] output) => Parallel.For(0, Length, i => output[i] = Iteration(i));

    /// <summary>The loop on the calling thread.</summary>
    internal static void Sequential(ulong[] output)
    {
        for (int i = 0; i < Length; i++)
        {
            output[i] = Iteration(i);
        }
    }

    /// <summary>One iteration: 200 Work calls folded into one value.</summary>
    internal static ulong Iteration(int index)
    {
        ulong x = 0;
        ulong first = (ulong)index * WorkPerIteration;
        for (int k = 0; k < WorkPerIteration; k++)
        {
            x ^= WorkFunction.Work(first + (ulong)k);
        }

        return x;
    }

    private readonly struct Body(ulong[] output) : IForBody
    {
        public void Invoke(int index) => output[index] = Iteration(index);
    }
}
