using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The shared job cache (<see cref="JobCache"/> over <see cref="BoundedQueue{T}"/>): spawners
/// take free jobs (or make new ones), load them and hand them over; executors copy the payload
/// out and give the job back before they run it. A job must never be handed out while it is in
/// flight, and every payload must run exactly once.
/// </summary>
public sealed class JobCacheScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void SpawnersAndExecutorsRecycleJobs()
    {
        Explorer.Check(output, "job cache: capacity 2, 2 spawners x 3 jobs, 2 executors giving jobs back", new ExploreOptions { Runs = 400, Budget = TimeSpan.FromSeconds(3) },
            execution => JobCacheScenarios.Recycle(execution, new RealFreeList(2), spawners: 2, jobsEach: 3, executors: 2));
    }

    [Fact]
    public void SpawnersAndExecutorsRecycleJobs_Exhaustive()
    {
        // One executor (two spinning threads would make the search tree endless): the spawners
        // race each other for the free jobs, and the executor's give-backs race their takes.
        Explorer.Check(output, "job cache: capacity 2 holding 1 job, 2 spawners x 2 jobs, 1 executor giving jobs back (exhaustive)", new ExploreOptions { PreemptionBound = 1 },
            execution => JobCacheScenarios.Recycle(execution, new RealFreeList(2), spawners: 2, jobsEach: 2, executors: 1, prefilled: 1));
    }
}

/// <summary>Where free jobs wait between two uses: the real cache, or a broken copy of its queue.</summary>
internal interface IFreeList
{
    PooledJob? TryTake();

    void Return(PooledJob job);
}

internal sealed class RealFreeList(int capacity) : IFreeList
{
    public JobCache Cache { get; } = new(capacity, batch: 1);

    public PooledJob? TryTake() => Cache.TryTake();

    public void Return(PooledJob job) => Cache.Return(job);
}

/// <summary>A spawned job under test: its payload, and whether it is in flight (taken from the cache and not yet given back).</summary>
internal sealed class RecycledJob(JobCache cache) : PooledJob(cache)
{
    public int Payload = -1;
    public bool InFlight;
    public string? Holder;

    internal override void Execute(Participant executor) => throw new InvalidOperationException("Recycled test jobs are only moved, never run.");
}

internal static class JobCacheScenarios
{
    /// <summary>
    /// Spawners take a free job (the cache holds <paramref name="prefilled"/> at the start) or
    /// make one, check nobody else holds it, load a payload and hand the job over through a
    /// bounded channel; executors take it, check it holds a payload and is in flight, copy the
    /// payload out, mark it free and give it back (the order of
    /// <see cref="PooledJob{TPayload}"/>'s TakePayload). Every payload runs once.
    /// </summary>
    internal static void Recycle(Execution execution, IFreeList free, int spawners, int jobsEach, int executors, int prefilled = 0)
    {
        int total = spawners * jobsEach;
        var channel = new BoundedQueue<PooledJob>(4);
        var ran = new List<string>[total];
        for (int i = 0; i < total; i++)
        {
            ran[i] = [];
        }

        int taken = 0;
        JobCache spareCache = new(2, batch: 1); // what a new job names as its cache: never used by the scenario
        for (int i = 0; i < prefilled; i++)
        {
            free.Return(new RecycledJob(spareCache));
        }

        for (int s = 0; s < spawners; s++)
        {
            int spawner = s;
            string name = $"spawner {s}";
            execution.Spawn(name, () =>
            {
                for (int i = 0; i < jobsEach; i++)
                {
                    var job = free.TryTake() as RecycledJob ?? new RecycledJob(spareCache);
                    Assert.False(job.InFlight, $"{name} got a job from the cache that {job.Holder} still holds (payload {job.Payload}): handed out twice.");
                    job.InFlight = true;
                    job.Holder = name;
                    job.Payload = spawner * jobsEach + i;
                    while (!channel.TryEnqueue(job))
                    {
                        SchedulePoint.Spin();
                    }
                }
            });
        }

        for (int e = 0; e < executors; e++)
        {
            string name = $"executor {e}";
            execution.Spawn(name, () =>
            {
                while (Volatile.Read(ref taken) < total)
                {
                    if (channel.TryDequeue() is not RecycledJob job)
                    {
                        SchedulePoint.Spin();
                        continue;
                    }

                    taken++;
                    Assert.True(job.InFlight && job.Payload >= 0, $"{name} took a job that is not in flight (payload {job.Payload}).");
                    int payload = job.Payload;
                    job.Payload = -1;
                    job.InFlight = false;
                    job.Holder = null;
                    free.Return(job);
                    ran[payload].Add(name);
                }
            });
        }

        execution.Run();
        for (int i = 0; i < total; i++)
        {
            Assert.True(ran[i].Count == 1, $"Payload {i} ran {ran[i].Count} times ({string.Join(", ", ran[i])}).");
        }

        Assert.Null(channel.TryDequeue());
    }
}
