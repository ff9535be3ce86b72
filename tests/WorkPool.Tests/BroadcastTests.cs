namespace WorkPool.Tests;

public class BroadcastTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(16, false)]
    [InlineData(16, true)]
    public void ReachesEachWorkerExactlyOnce_OnItsOwnThread(int threads, bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        var seenThreads = new Thread?[threads];
        var runs = new int[threads];
        Sides.On(pool, fromWorker, () => pool.Broadcast(index =>
        {
            Assert.Same(pool, WorkStealingPool.Current);
            Assert.Equal(index, WorkStealingPool.CurrentWorkerIndex);
            Interlocked.Increment(ref runs[index]);
            seenThreads[index] = Thread.CurrentThread;
        }));

        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.Equal(threads, seenThreads.Distinct().Count());
    });

    [Fact]
    public void ManyBroadcastsFromManyThreads_AtOnce_EachWorkerRunsEachOnce() => Bounded.Run(() =>
    {
        const int threads = 3;
        const int callers = 8;
        const int perCaller = 300;
        using WorkStealingPool pool = Pools.Create(threads, o => o.SpinCount = 0);
        var runs = new long[threads];
        Bounded.Threads(callers, c =>
        {
            for (int i = 0; i < perCaller; i++)
            {
                switch (c % 3)
                {
                    case 0:
                        pool.Broadcast(runs, static (r, index) => Interlocked.Increment(ref r[index]));
                        break;
                    case 1:
                        // From inside a guest call: the workers' parts through their inboxes.
                        pool.Install(() => pool.Broadcast(runs, static (r, index) => Interlocked.Increment(ref r[index])));
                        break;
                    default:
                        // From inside a worker: its own part inline, the others through inboxes.
                        Sides.OnWorker(pool, () => pool.Broadcast(runs, static (r, index) => Interlocked.Increment(ref r[index])));
                        break;
                }
            }
        });

        Assert.All(runs, r => Assert.Equal(callers * perCaller, r));
    });

    [Fact]
    public void StructForm_EveryWorkerWritesItsSlot_InstanceIsCopiedBack() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4);
        var body = new SlotBody(new int[4]);
        pool.Broadcast(ref body);
        Assert.Equal([1, 2, 3, 4], body.Slots);
        ForkJoin.Broadcast(ref body); // outside any pool: the default pool
    });

    [Fact]
    public void NestedBroadcast_FromABroadcastBody_Completes() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        var inner = new int[3];
        pool.Broadcast(index =>
        {
            if (index == 1)
            {
                ForkJoin.Broadcast(inner, static (r, i) => Interlocked.Increment(ref r[i]));
            }
        });

        Assert.Equal([1, 1, 1], inner);
    });

    [Fact]
    public void OneWorkerThrows_RethrownAsItself_SeveralThrow_Aggregate() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4);
        var single = Assert.Throws<InvalidOperationException>(() => pool.Broadcast(static index =>
        {
            if (index == 2)
            {
                throw new InvalidOperationException("worker 2");
            }
        }));
        Assert.Equal("worker 2", single.Message);

        var all = Assert.Throws<AggregateException>(() => pool.Broadcast(static index => throw new FormatException(index.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(["0", "1", "2", "3"], all.InnerExceptions.Select(e => e.Message));

        int ran = 0;
        pool.Broadcast(_ => Interlocked.Increment(ref ran));
        Assert.Equal(4, ran);
    });

    [Fact]
    public void SleepingWorkers_AreWokenForTheirPart() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4, o => o.SpinCount = 0);
        for (int round = 0; round < 200; round++)
        {
            // Let the workers fall asleep between rounds (no sleeping here: wait until they are).
            Bounded.Until(() => pool.Sleepers.SleepingCount == pool.ThreadCount, "every worker to sleep");
            int ran = 0;
            pool.Broadcast(_ => Interlocked.Increment(ref ran));
            Assert.Equal(4, ran);
        }
    });

    [Fact]
    public void WorkersBusyInScopes_StillRunTheirParts() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        int broadcasts = 0;
        long jobs = 0;
        pool.Scope(scope =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                scope.Spawn(_ =>
                {
                    Interlocked.Increment(ref jobs);
                    if (Interlocked.Increment(ref broadcasts) % 100 == 0)
                    {
                        ForkJoin.Broadcast(static _ => { });
                    }
                });
            }
        });

        Assert.Equal(2_000, jobs);
    });

    [Fact]
    public void BadArguments_AndDisposedPool_Throw() => Bounded.Run(() =>
    {
        WorkStealingPool pool = Pools.Create(2);
        Assert.Throws<ArgumentNullException>(() => pool.Broadcast(null!));
        Assert.Throws<ArgumentNullException>(() => pool.Broadcast(0, null!));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Broadcast(static _ => { }));
        var body = new SlotBody(new int[2]);
        Assert.Throws<ObjectDisposedException>(() => pool.Broadcast(ref body));
    });

    private struct SlotBody(int[] slots) : IWork
    {
        public readonly int[] Slots = slots;

        public readonly void Run(ForkContext context)
        {
            if (context.WorkerIndex < Slots.Length && context.Pool.ThreadCount == Slots.Length)
            {
                Slots[context.WorkerIndex] = context.WorkerIndex + 1;
            }
        }
    }
}
