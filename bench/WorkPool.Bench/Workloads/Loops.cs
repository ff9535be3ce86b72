namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>for_small</c> (<c>output[i] = Work(i)</c> over [0, 1024)) and <c>for_tiny</c>
/// (<c>output[i] = i</c> over [0, 16), pure dispatch latency): one parallel loop from a thread
/// outside the pool, against <c>Parallel.For</c>.
/// </summary>
internal static class Loops
{
    /// <summary>Length of the <c>for_tiny</c> loop.</summary>
    internal const int TinyLength = 16;

    /// <summary>One <c>for_small</c> loop on the pool, through the allocation-free struct form.</summary>
    internal static void SmallWorkPool(WorkStealingPool pool, ulong[] output)
    {
        var body = new WorkBody(output);
        pool.For(0, WorkFunction.LoopLength, ref body);
    }

    /// <summary>One <c>for_small</c> loop with <see cref="Parallel.For(int, int, Action{int})"/>.</summary>
    internal static void SmallTpl(ulong[] output) => Parallel.For(0, WorkFunction.LoopLength, i => output[i] = WorkFunction.Work((ulong)i));

    /// <summary>One <c>for_tiny</c> loop on the pool, through the allocation-free struct form.</summary>
    internal static void TinyWorkPool(WorkStealingPool pool, int[] output)
    {
        var body = new IdentityBody(output);
        pool.For(0, TinyLength, ref body);
    }

    /// <summary>One <c>for_tiny</c> loop with <see cref="Parallel.For(int, int, Action{int})"/>.</summary>
    internal static void TinyTpl(int[] output) => Parallel.For(0, TinyLength, i => output[i] = i);

    private readonly struct WorkBody(ulong[] output) : IForBody
    {
        public void Invoke(int index) => output[index] = WorkFunction.Work((ulong)index);
    }

    private readonly struct IdentityBody(int[] output) : IForBody
    {
        public void Invoke(int index) => output[index] = index;
    }
}
