namespace WorkPool;

/// <summary>A fire-and-forget job (<see cref="WorkStealingPool.Spawn(Action)"/>): nobody waits for it; its exception goes to the pool's handler.</summary>
internal sealed class DetachedJob<TWork>(JobCache cache) : PooledJob<TWork>(cache), IPooledJobFactory<DetachedJob<TWork>>
    where TWork : struct, IWork
{
    static DetachedJob<TWork> IPooledJobFactory<DetachedJob<TWork>>.Create(JobCache cache) => new(cache);

    internal override void Execute(Participant executor)
    {
        TWork work = TakePayload();
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
