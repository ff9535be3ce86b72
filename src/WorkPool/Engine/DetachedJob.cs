using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>A fire-and-forget job (<see cref="WorkStealingPool.Spawn(Action)"/>): nobody waits for it; its exception goes to the pool's handler.</summary>
internal sealed class DetachedJob<TWork>(JobCache home) : PooledJob(home), IPooledJobFactory<DetachedJob<TWork>>
    where TWork : struct, IWork
{
    private TWork _work;
    private bool _loaded;

    static DetachedJob<TWork> IPooledJobFactory<DetachedJob<TWork>>.Create(JobCache home) => new(home);

    internal void Load(in TWork work)
    {
        Debug.Assert(!_loaded, "A pooled job is loaded once per publication.");
        _loaded = true;
        _work = work;
    }

    /// <summary>The spawner could not publish the job: give it back unused.</summary>
    internal void Unload(ThreadContext owner)
    {
        _loaded = false;
        _work = default;
        Home.Return(this, owner);
    }

    internal override void Execute(Worker executor)
    {
        // Copy out and give the job back before running (see ScopeJob).
        TWork work = _work;
        _loaded = false;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TWork>())
        {
            _work = default;
        }

        Home.Return(this, executor.Context);
        try
        {
            work.Run(new ForkContext(executor));
        }
#pragma warning disable CA1031 // Routed to the pool's handler, or rethrown as unhandled there.
        catch (Exception e)
#pragma warning restore CA1031
        {
            executor.Pool.ReportUnhandled(e);
        }
    }
}
