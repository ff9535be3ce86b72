using System.Text;
using Microsoft.Extensions.ObjectPool;
using WorkPool;

namespace Samples;

public static class PerWorkerState
{
    // <snippet:worker-local>
    public static long[] Histogram(WorkStealingPool pool, byte[] data)
    {
        var local = new WorkerLocal<long[]>(pool, static () => new long[256]);   // one per participant
        pool.For(0, data.Length, (data, local), static (s, i) => s.local.Value[s.data[i]]++);
        var total = new long[256];
        foreach (long[] bins in local) for (int b = 0; b < 256; b++) total[b] += bins[b];
        return total;
    }
    // </snippet:worker-local>

    // <snippet:for-local>
    // Parallel.For's localInit / body / localFinally as a struct body: 0 B after warm-up.
    public struct SumOfSquares(int[] values) : IForLocalBody<long>
    {
        public long Total;

        public readonly long Init() => 0;                                        // once per participant
        public readonly void Invoke(int index, ref long local) => local += (long)values[index] * values[index];
        public void Finish(long local) => Total += local;                       // after the loop, on the caller
    }

    public static long SumSquares(WorkStealingPool pool, int[] values)
    {
        var body = new SumOfSquares(values);
        pool.For<SumOfSquares, long>(0, values.Length, ref body);
        return body.Total;
    }
    // </snippet:for-local>

    // <snippet:object-pool>
    public static int FormatAll(WorkStealingPool pool, int[] values, string[] output)
    {
        // A Microsoft.Extensions.ObjectPool.ObjectPool<T>: Get and Return on a participant use its
        // own slot first (no interlocked operation), then a bounded shared store.
        ObjectPool<StringBuilder> builders = pool.CreateObjectPool(new StringBuilderPooledObjectPolicy());
        pool.For(0, values.Length, (values, output, builders), static (s, i) =>
        {
            StringBuilder sb = s.builders.Get();
            s.output[i] = sb.Append('#').Append(s.values[i]).ToString();
            s.builders.Return(sb);
        });
        return output.Length;
    }
    // </snippet:object-pool>

    // <snippet:worker-local-context>
    // In a struct body the ForkContext finds the slot without a thread-local lookup.
    public readonly struct CountVisits(WorkerLocal<int> visits) : IWork
    {
        public void Run(ForkContext context) => visits.Get(context)++;
    }
    // </snippet:worker-local-context>
}
