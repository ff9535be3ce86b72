using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A pool's free pooled jobs of one type (the jobs of fire-and-forget and scope spawns): one
/// bounded queue that every thread takes from when it spawns and gives back to when it has run a
/// job, whichever threads those are. A miss creates a batch
/// (<see cref="WorkStealingPoolOptions.SpawnedJobsPerType"/>), so after one call of a shape with
/// at most that many spawns in flight, later calls of that shape find every job they need, however
/// the pool spreads their pieces over its participants (a first call may reuse a job it spawned
/// earlier in the same call, so it alone cannot tell how many a later call needs).
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
/// back when every queue is full goes into a new queue twice as large: jobs are never dropped, so
/// the total converges to the most a shape had in flight (a burst of spawns from every worker can
/// hold far more than one deque's worth).</para>
/// </remarks>
internal sealed class JobCache
{
    // The free jobs: queues that only grow in number, the newest twice as large as the one before.
    // Published with a release store after the new queue is built; readers take a snapshot.
    private BoundedQueue<PooledJob>[] _segments;

    // Not a Monitor: a contended Monitor.Enter throws ThreadInterruptedException on a thread with
    // an interrupt pending, and Return runs inside jobs before their try and inside waits.
    private UninterruptibleLock _growLock;

    internal JobCache(int capacity, int batch)
    {
        _segments = [new BoundedQueue<PooledJob>(capacity)];
        Batch = Math.Min(batch, capacity);
    }

    /// <summary>How many jobs a miss creates (see <see cref="WorkStealingPoolOptions.SpawnedJobsPerType"/>).</summary>
    internal int Batch { get; }

    /// <summary>How many free jobs the cache can hold before it grows.</summary>
    internal int Capacity
    {
        get
        {
            int capacity = 0;
            foreach (BoundedQueue<PooledJob> segment in Volatile.Read(ref _segments))
            {
                capacity += segment.Capacity;
            }

            return capacity;
        }
    }

    /// <summary>A free job, or null when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PooledJob? TryTake()
    {
        BoundedQueue<PooledJob>[] segments = Volatile.Read(ref _segments);
        return segments[0].TryDequeue() ?? TryTakeFromLaterSegments(segments);
    }

    /// <summary>Gives <paramref name="job"/> back (unloaded, not in flight).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Return(PooledJob job)
    {
        BoundedQueue<PooledJob>[] segments = Volatile.Read(ref _segments);
        if (!segments[0].TryEnqueue(job))
        {
            ReturnToLaterSegments(segments, job);
        }
    }

    private static PooledJob? TryTakeFromLaterSegments(BoundedQueue<PooledJob>[] segments)
    {
        for (int i = 1; i < segments.Length; i++)
        {
            if (segments[i].TryDequeue() is { } job)
            {
                return job;
            }
        }

        return null;
    }

    /// <summary>
    /// The first queue is full: a later one, or a new one twice the size of the last. The cache
    /// never drops a job, so the jobs a pool has only grow, to the most a shape ever had in flight
    /// (bounded by the deques' and rings' capacities); growing allocates, once per doubling.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnToLaterSegments(BoundedQueue<PooledJob>[] segments, PooledJob job)
    {
        while (true)
        {
            for (int i = 1; i < segments.Length; i++)
            {
                if (segments[i].TryEnqueue(job))
                {
                    return;
                }
            }

            _growLock.Enter();
            try
            {
                if (_segments == segments)
                {
                    BoundedQueue<PooledJob>[] grown = [.. segments, new BoundedQueue<PooledJob>(segments[^1].Capacity * 2)];
                    Volatile.Write(ref _segments, grown);
                }

                segments = _segments;
            }
            finally
            {
                _growLock.Exit();
            }
        }
    }
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
        return cache.TryTake() is { } job ? Unsafe.As<TJob>(job) : CreateBatch(cache);
    }

    /// <summary>
    /// A miss creates a batch: the jobs a call shape has in flight at once exist after its first
    /// call, whichever threads took and gave back which, so later calls never miss (0 B after the
    /// first call). One job for the caller, the rest into the cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TJob CreateBatch(JobCache cache)
    {
        for (int i = 1; i < cache.Batch; i++)
        {
            cache.Return(TJob.Create(cache));
        }

        return TJob.Create(cache);
    }
}
