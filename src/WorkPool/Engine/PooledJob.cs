using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A job that is taken from a <see cref="JobCache"/> for one publication and given back by the
/// thread that runs it: the storage of spawned jobs, whose number in flight is not bounded by a
/// nesting depth the way Join and Install jobs are.
/// </summary>
internal abstract class PooledJob : Job
{
    protected PooledJob(JobCache cache) => Cache = cache;

    /// <summary>The cache this job is given back to: its pool's cache for its type.</summary>
    internal JobCache Cache { get; }

    // Jobs are allocated next to each other and run on different threads: the padding keeps the
    // one a thief is finishing off the cache line of the one its spawner loads next.
#pragma warning disable IDE0051, CS0169 // Never read: it only takes up space.
    private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
}

/// <summary>
/// A pooled job that carries a struct <typeparamref name="TPayload"/> for one publication: loaded
/// by the spawner, then either taken out by the executor (<see cref="TakePayload"/>) or given
/// back unused (<see cref="Unload"/>). All of it is non-virtual: the only virtual call is the
/// derived type's <see cref="Job.Execute"/>, as for every job.
/// </summary>
/// <remarks>
/// The executor copies the payload out and gives the job back before it runs anything, so the
/// job is free again while its work runs (a thread keeps at most as many jobs as it has waiting),
/// and the executor never touches the job after handing it back (see <see cref="JobCache"/>).
/// </remarks>
internal abstract class PooledJob<TPayload>(JobCache cache) : PooledJob(cache)
    where TPayload : struct
{
    private TPayload _payload;
    private bool _loaded;

    /// <summary>Spawner: stores what the job will run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Load(in TPayload payload)
    {
        Debug.Assert(!_loaded, "A pooled job is loaded once per publication.");
        _loaded = true;
        _payload = payload;
    }

    /// <summary>The spawner could not publish the job: give it back unused.</summary>
    internal void Unload()
    {
        _loaded = false;
        _payload = default;
        Cache.Return(this);
    }

    /// <summary>Executor: copies the payload out and gives the job back to its cache; the job must not be touched after this.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected TPayload TakePayload()
    {
        Debug.Assert(_loaded, "A pooled job runs once per publication.");
        TPayload payload = _payload;
        _loaded = false;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TPayload>())
        {
            // The free job must not keep the payload's objects alive.
            _payload = default;
        }

        Cache.Return(this);
        return payload;
    }
}
