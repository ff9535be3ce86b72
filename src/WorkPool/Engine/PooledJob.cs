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
    protected PooledJob(JobCache home) => Home = home;

    /// <summary>The cache of the thread that created this job; the job always goes back there.</summary>
    internal JobCache Home { get; }

    /// <summary>Link in one of the home cache's free lists (never used while the job is in flight).</summary>
    internal PooledJob? NextFree;

    // Jobs of one thread are allocated next to each other and run on different threads: the
    // padding keeps the one a thief is finishing off the cache line of the one its owner loads.
#pragma warning disable IDE0051, CS0169 // Never read: it only takes up space.
    private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
}
