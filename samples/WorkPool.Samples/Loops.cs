using WorkPool;

namespace Samples;

public static class Loops
{
    // <snippet:loops-for>
    public static void Scale(WorkStealingPool pool, float[] data, float factor)
    {
        // State + static lambda: no closure, 0 B.
        pool.For(0, data.Length, (data, factor), static (s, i) => s.data[i] *= s.factor);

        // Struct body: the JIT inlines Invoke into the loop, 0 B.
        var body = new ScaleBody(data, factor);
        pool.For(0, data.Length, ref body);

        // Range body: one call per piece, so the inner loop can be vectorized.
        var range = new ScaleRange(data, factor);
        pool.ForRange(0, data.Length, ref range);
    }

    private readonly struct ScaleBody(float[] data, float factor) : IForBody
    {
        public void Invoke(int index) => data[index] *= factor;
    }

    private readonly struct ScaleRange(float[] data, float factor) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            foreach (ref float x in data.AsSpan((int)fromInclusive, (int)(toExclusive - fromInclusive)))
            {
                x *= factor;
            }
        }
    }
    // </snippet:loops-for>

    // <snippet:loops-foreach>
    public static void Clamp(WorkStealingPool pool, int[] values, int max)
    {
        var body = new ClampBody(max);
        pool.ForEach(values, ref body);   // elements by ref, with their index
    }

    private readonly struct ClampBody(int max) : IForEachBody<int>
    {
        public void Invoke(ref int element, int index) => element = Math.Min(element, max);
    }
    // </snippet:loops-foreach>

    // <snippet:loops-reduce>
    public static double Sum(WorkStealingPool pool, double[] values) =>
        // deterministic: the same tree of partial sums on every run, so the same bits.
        pool.Reduce<SumReducer, double>(0, values.Length, new SumReducer(values), deterministic: true);

    private readonly struct SumReducer(double[] values) : IRangeReducer<double>
    {
        public double Identity() => 0;

        public double Accumulate(double accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator += values[i];
            }

            return accumulator;
        }

        public double Combine(double left, double right) => left + right;
    }
    // </snippet:loops-reduce>

    // <snippet:loops-break>
    public static long? FirstNegative(WorkStealingPool pool, int[] values)
    {
        LoopResult result = pool.For(0, values.Length, values, static (v, i, control) =>
        {
            if (v[i] < 0)
            {
                control.Break();   // iterations below i still run; those above may be skipped
            }
        });
        return result.LowestBreakIteration;   // the lowest i that called Break, or null
    }
    // </snippet:loops-break>

    // <snippet:loops-cancel>
    public static bool CancelMidway(WorkStealingPool pool)
    {
        using var cts = new CancellationTokenSource();
        try
        {
            pool.For(0, 1_000_000, cts, static (c, i) =>
            {
                if (i == 1_000) c.Cancel();
            }, cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;   // pieces that had not started were skipped
        }
    }
    // </snippet:loops-cancel>
}
