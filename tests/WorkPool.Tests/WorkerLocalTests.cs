namespace WorkPool.Tests;

/// <summary>
/// WorkerLocal: one slot per participant (workers, then guest slots), created eagerly, reached by
/// reference from a ForkContext or the current participant, refused elsewhere, enumerated to
/// combine; and the loops with state local to each participant (IForLocalBody, localInit /
/// localFinally).
/// </summary>
public class WorkerLocalTests
{
    [Fact]
    public void OneSlotPerParticipant_CreatedEagerly_ByIndex()
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.GuestSlots = 2);
        int created = 0;
        var plain = new WorkerLocal<int[]>(pool, () =>
        {
            created++;
            return new int[1];
        });
        Assert.Equal(pool.ParticipantCount, plain.Count);
        Assert.Equal(5, created);
        var indexed = new WorkerLocal<int>(pool, static i => i * 10);
        Assert.Same(pool, indexed.Pool);
        int expected = 0;
        foreach (int value in indexed)
        {
            Assert.Equal(expected * 10, value);
            expected++;
        }

        Assert.Equal(pool.ParticipantCount, expected);
        Assert.Equal(40, indexed[4]);
    }

    [Fact]
    public void Value_OutsideEveryPool_OrOnAnotherPool_Throws() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using WorkStealingPool other = Pools.Create(1);
        var local = new WorkerLocal<int>(pool, static () => 0);
        Assert.Throws<InvalidOperationException>(() => local.Value);
        Exception? onOther = other.Install(local, static l => Record.Exception(() => l.Value++));
        Assert.IsType<InvalidOperationException>(onOther);
        Exception? viaContext = other.Install<ContextAccess, Exception?>(new ContextAccess(local));
        Assert.IsType<InvalidOperationException>(viaContext);
        Assert.Throws<IndexOutOfRangeException>(() => local[pool.ParticipantCount]);
    });

    [Fact]
    public void Broadcast_EachWorkerWritesItsOwnSlot_ByContextAndBySlotLookup() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.GuestSlots = 1);
        var local = new WorkerLocal<long>(pool, static () => 0);
        var work = new IncrementByContext(local);
        for (int round = 0; round < 100; round++)
        {
            pool.Broadcast(ref work);
            pool.Broadcast(local, static (l, index) =>
            {
                Assert.Equal(index, WorkStealingPool.CurrentWorkerIndex);
                l.Value += 10;
            });
        }

        for (int i = 0; i < pool.ThreadCount; i++)
        {
            Assert.Equal(1_100L, local[i]);
        }

        Assert.Equal(0L, local[pool.ThreadCount]);
    });

    [Fact]
    public void GuestCall_UsesItsGuestSlot_WhichTheNextGuestFindsAgain() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1, o => o.GuestSlots = 1);
        var local = new WorkerLocal<int>(pool, static () => 0);
        int index = pool.Install(local, static l =>
        {
            l.Value = 5;
            return WorkStealingPool.CurrentWorkerIndex;
        });
        Assert.Equal(1, index);
        Assert.Equal(5, local[1]);
        int seen = 0;
        var thread = new Thread(() => seen = pool.Install(local, static l => l.Value));
        thread.Start();
        Assert.True(thread.Join(Bounded.WaitLimit));
        Assert.Equal(5, seen);
    });

    [Fact]
    public void LoopIntoWorkerLocal_CombinesToTheExactSum() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        var local = new WorkerLocal<long>(pool, static () => 0);
        const int N = 100_000;
        for (int round = 0; round < 20; round++)
        {
            pool.For(0, N, local, static (l, i) => l.Value += i);
            long sum = 0;
            foreach (ref long value in local)
            {
                sum += value;
                value = 0;
            }

            Assert.Equal((long)N * (N - 1) / 2, sum);
        }
    });

    [Fact]
    public void ForWithLocalState_Struct_InitOncePerParticipant_FinishOncePerInit_ExactSum() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        const int N = 200_000;
        for (int round = 0; round < 20; round++)
        {
            var body = new CountingLocalBody(new int[2]);
            pool.For<CountingLocalBody, long>(0, N, ref body, minChunkLength: 16);
            Assert.Equal((long)N * (N - 1) / 2, body.Total);
            Assert.InRange(body.Counts[0], 1, pool.ParticipantCount);
            Assert.Equal(body.Counts[0], body.Counts[1]);
            Assert.Equal(body.Counts[1], body.Finished);
        }
    });

    [Fact]
    public void ForWithLocalState_FromAWorker_AndNested() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long total = pool.Install(pool, static p =>
        {
            var body = new NestedLocalBody(p);
            p.For<NestedLocalBody, long>(0, 64, ref body);
            return body.Total;
        });
        Assert.Equal(64L * (1000L * 999 / 2), total);
    });

    [Fact]
    public void ForWithLocalState_DelegateForm_LikeParallelFor() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long total = 0;
        int inits = 0;
        int finishes = 0;
        pool.For(
            0,
            50_000,
            () =>
            {
                Interlocked.Increment(ref inits);
                return 0L;
            },
            (i, local) => local + i,
            local =>
            {
                finishes++;
                total += local;
            });
        Assert.Equal(50_000L * 49_999 / 2, total);
        Assert.Equal(inits, finishes);
        Assert.Throws<ArgumentNullException>(() => pool.For(0, 1, null!, (i, l) => l, static (int l) => { }));
    });

    [Fact]
    public void ForWithLocalState_ThrowingIteration_StillFinishesEveryLocal_ThenRethrows() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var body = new ThrowingLocalBody(new int[2], throwAt: 777);
        // Loops always throw an AggregateException of every failed part (docs/exceptions.md).
        TestFailureException e = Contract.ThrowsOne<TestFailureException>(() => pool.For<ThrowingLocalBody, int>(0, 1_000, ref body));
        Assert.Equal("777", e.Message);
        Assert.True(body.Counts[0] >= 1);
        Assert.Equal(body.Counts[0], body.Counts[1]);
    });

    [Fact]
    public void ForWithLocalState_Cancelled_FinishesEveryLocal_AndEmptyRangeInitsNothing() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        var body = new CancellingLocalBody(new int[2], cts);
        Assert.ThrowsAny<OperationCanceledException>(() => pool.For<CancellingLocalBody, int>(0, 100_000, ref body, cancellationToken: cts.Token));
        Assert.Equal(body.Counts[0], body.Counts[1]);

        var empty = new CountingLocalBody(new int[2]);
        pool.For<CountingLocalBody, long>(5, 5, ref empty);
        Assert.Equal(0, empty.Counts[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.For<CountingLocalBody, long>(0, 5, ref empty, minChunkLength: 0));
    });

    private readonly struct ContextAccess(WorkerLocal<int> local) : IWork<Exception?>
    {
        public Exception? Run(ForkContext context)
        {
            try
            {
                local.Get(context)++;
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        }
    }

    private readonly struct IncrementByContext(WorkerLocal<long> local) : IWork
    {
        public void Run(ForkContext context)
        {
            Assert.Equal(context.WorkerIndex, WorkStealingPool.CurrentWorkerIndex);
            local.Get(context)++;
        }
    }

    /// <summary>Counts Init (cell 0) and Finish (cell 1) calls; sums the indices.</summary>
    private struct CountingLocalBody(int[] counts) : IForLocalBody<long>
    {
        public readonly int[] Counts = counts;
        public long Total;
        public int Finished;

        public readonly long Init()
        {
            Interlocked.Increment(ref Counts[0]);
            return 0;
        }

        public readonly void Invoke(int index, ref long local) => local += index;

        public void Finish(long local)
        {
            Counts[1]++;
            Finished++;
            Total += local;
        }
    }

    /// <summary>Each outer index runs an inner local loop of 1000 on the same pool.</summary>
    private struct NestedLocalBody(WorkStealingPool pool) : IForLocalBody<long>
    {
        public long Total;

        public readonly long Init() => 0;

        public readonly void Invoke(int index, ref long local)
        {
            var inner = new CountingLocalBody(new int[2]);
            pool.For<CountingLocalBody, long>(0, 1000, ref inner);
            local += inner.Total;
        }

        public void Finish(long local) => Total += local;
    }

    private readonly struct ThrowingLocalBody(int[] counts, int throwAt) : IForLocalBody<int>
    {
        public readonly int[] Counts = counts;

        public int Init()
        {
            Interlocked.Increment(ref Counts[0]);
            return 0;
        }

        public void Invoke(int index, ref int local)
        {
            if (index == throwAt)
            {
                throw new TestFailureException(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            local++;
        }

        public void Finish(int local) => Counts[1]++;
    }

    private readonly struct CancellingLocalBody(int[] counts, CancellationTokenSource cts) : IForLocalBody<int>
    {
        public readonly int[] Counts = counts;

        public int Init()
        {
            Interlocked.Increment(ref Counts[0]);
            return 0;
        }

        public void Invoke(int index, ref int local)
        {
            if (index == 1000)
            {
                cts.Cancel();
            }

            local++;
        }

        public void Finish(int local) => Counts[1]++;
    }
}
