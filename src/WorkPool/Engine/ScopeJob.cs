namespace WorkPool;

/// <summary>A job spawned into a scope: carries the body and the scope; taken from and given back to the spawning thread's <see cref="JobCache"/>.</summary>
internal sealed class ScopeJob<TJob>(JobCache cache) : PooledJob<ScopedBody<TJob>>(cache), IPooledJobFactory<ScopeJob<TJob>>
    where TJob : struct, IScopeWork
{
    static ScopeJob<TJob> IPooledJobFactory<ScopeJob<TJob>>.Create(JobCache cache) => new(cache);

    internal override void Execute(Participant executor)
    {
        ScopedBody<TJob> spawned = TakePayload();
        spawned.Scope.RunJob(ref spawned.Body, spawned.Generation);
    }
}

/// <summary>What a <see cref="ScopeJob{TJob}"/> carries: the body, and the scope (and the generation of the handle) it was spawned into.</summary>
internal struct ScopedBody<TJob>(ScopeState scope, uint generation, TJob body)
    where TJob : struct, IScopeWork
{
    public readonly ScopeState Scope = scope;
    public readonly uint Generation = generation;
    public TJob Body = body;
}
