using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// One thread's free list of spawned jobs of one type. The thread that spawns takes jobs from
/// it; the thread that runs a job gives it back, usually the same thread (a worker pops most of
/// its own spawns), sometimes a thief.
/// </summary>
/// <remarks>
/// <para>Why not <c>Microsoft.Extensions.ObjectPool</c>: its <c>DefaultObjectPool</c> keeps a
/// bounded number of objects (it drops the rest, which then allocate again) and takes them
/// through an interlocked exchange on a slot every thread shares, then a
/// <c>ConcurrentQueue</c>. A scope that spawns a thousand jobs keeps a thousand in flight, and
/// nearly all of them come back to the thread that spawned them, so a per-thread list with no
/// interlocked operation on the common path is both cheaper and allocation-free at any burst
/// size. (The measurement is in docs/design/jobs.md.)</para>
/// <para>Two lists. <c>_local</c> is the owner's alone: it pops and pushes with plain stores.
/// <c>_returned</c> takes jobs run on other threads: an <see cref="IntrusiveStack"/> that they
/// push onto with a CAS and that only the owner empties, always all at once (so no ABA).</para>
/// <para>Invariant: a job is in exactly one place at a time: <c>_local</c>, <c>_returned</c>, or
/// in flight (in a deque or the ring, or running). The executor copies what it needs out of the
/// job and gives it back before it runs the body, and never touches it again.</para>
/// </remarks>
internal sealed class JobCache(ThreadContext owner)
{
    private PooledJob? _local;

    // Padded away from _local: other threads CAS this while the owner works on _local.
    private PaddedObject _returned;

    /// <summary>The thread that owns the cache.</summary>
    internal ThreadContext Owner { get; } = owner;

    /// <summary>Owner: a free job, or null when the cache is empty (the caller then creates one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal PooledJob? TryTake()
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Owner, "Only the owner takes from its cache.");
        PooledJob? job = _local;
        if (job is null)
        {
            job = IntrusiveStack.TakeAll<PooledJob>(ref _returned.Value);
            if (job is null)
            {
                return null;
            }
        }

        _local = job.NextFree;
        job.NextFree = null;
        return job;
    }

    /// <summary>Any thread, after it copied out what it needs: gives <paramref name="job"/> back to this cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Return(PooledJob job, ThreadContext returner)
    {
        Debug.Assert(job.Home == this && job.NextFree is null);
        if (returner == Owner)
        {
            job.NextFree = _local;
            _local = job;
            return;
        }

        IntrusiveStack.Push(ref _returned.Value, job, ref job.NextFree);
    }
}

/// <summary>A pooled job type that can make a new instance for a cache (when the cache is empty).</summary>
internal interface IPooledJobFactory<TJob>
    where TJob : PooledJob
{
    static abstract TJob Create(JobCache home);
}

/// <summary>Finds the calling thread's <see cref="JobCache"/> for jobs of type <typeparamref name="TJob"/>.</summary>
internal static class JobCaches<TJob>
    where TJob : PooledJob, IPooledJobFactory<TJob>
{
    /// <summary>The calling thread's free job of this type, or a new one (warm-up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TJob Rent(ThreadContext context)
    {
        JobCache cache = Of(context);
        // Only jobs of this exact type are ever given back to this cache.
        return cache.TryTake() is { } job ? Unsafe.As<TJob>(job) : TJob.Create(cache);
    }

    /// <summary>This job type's index into <see cref="ThreadContext.SlotStacks"/> .</summary>
    private static readonly int Index = ThreadContext.NewSlotStackIndex();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static JobCache Of(ThreadContext context)
    {
        Debug.Assert(context == ThreadContext.CurrentOrNull, "Caches belong to the calling thread.");
        object?[] caches = context.SlotStacks;
        int index = Index;
        if ((uint)index < (uint)caches.Length && caches[index] is { } cache)
        {
            // Only Create stores at this index, always a JobCache.
            return Unsafe.As<JobCache>(cache);
        }

        return Create(context);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JobCache Create(ThreadContext context)
    {
        int index = Index;
        if (index >= context.SlotStacks.Length)
        {
            Array.Resize(ref context.SlotStacks, Math.Max(index + 1, context.SlotStacks.Length * 2));
        }

        var cache = new JobCache(context);
        context.SlotStacks[index] = cache;
        return cache;
    }
}
