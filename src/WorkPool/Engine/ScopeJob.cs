using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>A job spawned into a scope: carries the body and the scope; taken from and given back to the spawning thread's <see cref="JobCache"/>.</summary>
internal sealed class ScopeJob<TJob>(JobCache home) : PooledJob(home), IPooledJobFactory<ScopeJob<TJob>>
    where TJob : struct, IScopeWork
{
    private ScopeState? _scope;
    private uint _generation;
    private TJob _body;

    static ScopeJob<TJob> IPooledJobFactory<ScopeJob<TJob>>.Create(JobCache home) => new(home);

    internal void Load(ScopeState scope, uint generation, in TJob body)
    {
        Debug.Assert(_scope is null, "A pooled job is loaded once per publication.");
        _scope = scope;
        _generation = generation;
        _body = body;
    }

    /// <summary>The spawner could not publish the job: give it back unused.</summary>
    internal void Unload(ThreadContext owner)
    {
        _scope = null;
        _body = default;
        Home.Return(this, owner);
    }

    internal override void Execute(Worker executor)
    {
        // Copy out, give the job back, then run: the job is free again before the body runs,
        // so a scope keeps at most as many jobs as it has waiting, and this thread never
        // touches the job after handing it back.
        ScopeState scope = _scope!;
        uint generation = _generation;
        TJob body = _body;
        _scope = null;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TJob>())
        {
            _body = default;
        }

        Home.Return(this, executor.Context);
        scope.RunJob(ref body, generation);
    }
}
