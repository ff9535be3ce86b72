using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A pool's free pooled jobs of one type (the jobs of fire-and-forget and scope spawns): one
/// bounded queue that every thread takes from when it spawns and gives back to when it has run a
/// job, whichever threads those are. So the jobs a pool has converge to the most it ever had in
/// flight at once, and after one call of a shape, later calls of that shape find every job they
/// need, however the pool spreads their pieces over its participants.
/// </summary>
/// <remarks>
/// <para>Why one shared queue rather than a list per thread: with per-thread lists, a job goes
/// back to the thread that took it, and a thread that spawns for the first time (a worker that
/// now runs a scope job that spawns, a guest slot another thread took this time) allocates its
/// own jobs even though the pool has enough free ones elsewhere. A queue costs one interlocked
/// operation on each side, about what a cross-thread give-back cost before anyway. Why not
/// <c>Microsoft.Extensions.ObjectPool</c>: it keeps a bounded number of objects too, but takes
/// them through a shared slot and then a <c>ConcurrentQueue</c>, which allocates segments
/// (docs/design/jobs.md).</para>
/// <para>Invariant: a job is in exactly one place at a time: this queue, or in flight (loaded,
/// in a deque or the ring, or handed to its executor). The executor copies what it needs out of
/// the job and gives it back before it runs the body, and never touches it again. A job given
/// back to a full queue is dropped (the GC takes it): the queue's capacity bounds what the
/// zero-allocation rule covers.</para>
/// </remarks>
internal sealed class JobCache
{
    private readonly BoundedQueue<PooledJob> _free;

    internal JobCache(int capacity) => _free = new BoundedQueue<PooledJob>(capacity);

    /// <summary>How many free jobs the cache can hold.</summary>
    internal int Capacity => _free.Capacity;

    /// <summary>A free job, or null when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PooledJob? TryTake() => _free.TryDequeue();

    /// <summary>Gives <paramref name="job"/> back (unloaded, not in flight). Dropped when the cache is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Return(PooledJob job) => _free.TryEnqueue(job);
}

/// <summary>Creates a pooled job of its own type for a <see cref="JobCache"/>.</summary>
internal interface IPooledJobFactory<TJob>
    where TJob : PooledJob
{
    static abstract TJob Create(JobCache cache);
}

/// <summary>Rents jobs of one pooled type from a pool's <see cref="JobCache"/> for that type.</summary>
internal static class JobCaches<TJob>
    where TJob : PooledJob, IPooledJobFactory<TJob>
{
    /// <summary>This job type's index into every pool's caches; a JIT-time constant in optimized code.</summary>
    private static readonly int Index = WorkStealingPool.NewJobCacheIndex();

    /// <summary>A free job of this type from <paramref name="pool"/>'s cache, or a new one (the cache's first use of it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TJob Rent(WorkStealingPool pool)
    {
        JobCache cache = pool.JobCacheAt(Index);
        // Only jobs of this exact type are ever given back to this cache.
        return cache.TryTake() is { } job ? Unsafe.As<TJob>(job) : TJob.Create(cache);
    }
}
