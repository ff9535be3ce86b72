namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>for_nested</c>: from an external thread, a parallel loop over [0, 64) whose body runs a
/// parallel loop over [0, 1024) writing <c>output[i * 1024 + j] = Work(i * 1024 + j)</c>; one
/// operation is the whole nest. Against nested <c>Parallel.For</c>.
/// </summary>
internal static class NestedLoop
{
    /// <summary>Length of the outer loop.</summary>
    internal const int OuterLength = 64;

    /// <summary>Length of each inner loop.</summary>
    internal const int InnerLength = 1024;

    /// <summary>Elements of the output: one per inner iteration.</summary>
    internal const int OutputLength = OuterLength * InnerLength;

    /// <summary>The nest on the pool; the inner loops run on workers (plain nested calls), all through struct bodies.</summary>
    internal static void WorkPool(WorkStealingPool pool, ulong[] output)
    {
        var body = new OuterBody(pool, output);
        pool.For(0, OuterLength, ref body);
    }

    /// <summary>The nest with nested <see cref="Parallel.For(int, int, Action{int})"/>.</summary>
    internal static void Tpl(ulong[] output) =>
        Parallel.For(0, OuterLength, i => Parallel.For(0, InnerLength, j => output[(i * InnerLength) + j] = WorkFunction.Work((ulong)((i * InnerLength) + j))));

    /// <summary>The nest as two plain loops.</summary>
    internal static void Sequential(ulong[] output)
    {
        for (int i = 0; i < OuterLength; i++)
        {
            for (int j = 0; j < InnerLength; j++)
            {
                output[(i * InnerLength) + j] = WorkFunction.Work((ulong)((i * InnerLength) + j));
            }
        }
    }

    private readonly struct OuterBody(WorkStealingPool pool, ulong[] output) : IForBody
    {
        public void Invoke(int index)
        {
            var inner = new InnerBody(output, index * InnerLength);
            pool.For(0, InnerLength, ref inner);
        }
    }

    private readonly struct InnerBody(ulong[] output, int offset) : IForBody
    {
        public void Invoke(int index) => output[offset + index] = WorkFunction.Work((ulong)(offset + index));
    }
}
