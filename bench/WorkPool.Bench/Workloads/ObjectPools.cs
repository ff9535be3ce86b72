using Microsoft.Extensions.ObjectPool;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>object_pool</c>: every worker of the pool at once (one Broadcast) takes an object from an
/// <see cref="ObjectPool{T}"/> and returns it, again and again: the pool's own
/// (<see cref="WorkStealingPool.CreateObjectPool{T}(IPooledObjectPolicy{T})"/>) against
/// <see cref="DefaultObjectPool{T}"/>, driven the same way. One operation is one Get + Return.
/// </summary>
internal static class ObjectPools
{
    /// <summary>The pooled object: a small scratch buffer, as a kernel would rent.</summary>
    internal sealed class Scratch
    {
        public readonly long[] Cells = new long[8];
    }

    /// <summary>The pool's ObjectPool.</summary>
    internal static ObjectPool<Scratch> WorkPool(WorkStealingPool pool) => pool.CreateObjectPool(new DefaultPooledObjectPolicy<Scratch>());

    /// <summary>Microsoft.Extensions.ObjectPool's default pool, with its default size (2 × processors).</summary>
    internal static ObjectPool<Scratch> Default() => new DefaultObjectPool<Scratch>(new DefaultPooledObjectPolicy<Scratch>());

    /// <summary>One round: every worker does <paramref name="perWorker"/> Get + Return on <paramref name="objects"/> (touching the object, so the pair is not optimized away).</summary>
    internal static void Round(WorkStealingPool pool, ObjectPool<Scratch> objects, int perWorker) =>
        pool.Broadcast((objects, perWorker), static (s, index) =>
        {
            for (int i = 0; i < s.perWorker; i++)
            {
                Scratch scratch = s.objects.Get();
                scratch.Cells[0] += index;
                s.objects.Return(scratch);
            }
        });
}
