namespace WorkPool.Tests;

/// <summary>
/// The fallback path: when a thread outside the pool finds no free guest slot (the pool has
/// none, GuestSlots = 0, or every slot is held by another thread), or the caller is a
/// participant of another pool, the work goes through the injector ring to a worker, as before
/// guest participation: it runs on a named worker thread with a worker's index. Every form.
/// </summary>
public class GuestFallbackTests
{
    public enum Fallback
    {
        NoGuestSlots,
        FullGuestTable,
    }

    /// <summary>Runs <paramref name="body"/> on this thread with a pool whose calls from outside all fall back.</summary>
    private static void WithFallback(Fallback why, int threads, Action<WorkStealingPool> body, string test)
    {
        if (why == Fallback.NoGuestSlots)
        {
            using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, test: test);
            body(pool);
            return;
        }

        using WorkStealingPool full = Pools.Create(threads, o => o.GuestSlots = 1, test);
        Guests.WithFullGuestTable(full, () => body(full));
    }

    [Theory]
    [InlineData(Fallback.NoGuestSlots)]
    [InlineData(Fallback.FullGuestTable)]
    public void Install_EveryForm_RunsOnAWorker(Fallback why) => Bounded.Run(() => WithFallback(why, 2, pool =>
    {
        var ran = new RanAt();
        pool.Install(ran.Record);
        Guests.AssertRanOnWorker(pool, ran);

        ran = new RanAt();
        Assert.Equal(42, pool.Install(() =>
        {
            ran.Record();
            return 42;
        }));
        Guests.AssertRanOnWorker(pool, ran);

        ran = new RanAt();
        pool.Install(ran, static r => r.Record());
        Guests.AssertRanOnWorker(pool, ran);

        ran = new RanAt();
        Assert.Equal("x", pool.Install(ran, static r =>
        {
            r.Record();
            return "x";
        }));
        Guests.AssertRanOnWorker(pool, ran);

        var work = new AddWork(40, 2);
        pool.Install(ref work);
        Assert.Equal((42, 1), (work.Sum, work.Runs));
        Assert.InRange(work.WorkerIndex, 0, pool.ThreadCount - 1);

        Assert.Equal(42L, pool.Install<TripleWork, long>(new TripleWork(14)));
        string where = pool.Install<WhereWork, string>(new WhereWork("w"));
        Assert.InRange(int.Parse(where.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture), 0, pool.ThreadCount - 1);
    }, nameof(Install_EveryForm_RunsOnAWorker)));

    [Theory]
    [InlineData(Fallback.NoGuestSlots)]
    [InlineData(Fallback.FullGuestTable)]
    public void Join_EveryForm_BothHalvesRunOnWorkers(Fallback why) => Bounded.Run(() => WithFallback(why, 2, pool =>
    {
        var a = new RanAt();
        var b = new RanAt();
        pool.Join(a.Record, b.Record);
        AssertJoinOnWorkers(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        Assert.Equal((1, 2L), pool.Join(
            () =>
            {
                a.Record();
                return 1;
            },
            () =>
            {
                b.Record();
                return 2L;
            }));
        AssertJoinOnWorkers(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        pool.Join((a, b), static s => s.a.Record(), static s => s.b.Record());
        AssertJoinOnWorkers(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        Assert.Equal(("a", "b"), pool.Join((a, b), static s =>
        {
            s.a.Record();
            return "a";
        }, static s =>
        {
            s.b.Record();
            return "b";
        }));
        AssertJoinOnWorkers(pool, a, b);

        var x = new AddWork(1, 2);
        var y = new AddWork(3, 4);
        pool.Join(ref x, ref y);
        Assert.Equal((3, 1, 7, 1), (x.Sum, x.Runs, y.Sum, y.Runs));
        Assert.InRange(x.WorkerIndex, 0, pool.ThreadCount - 1);
        Assert.InRange(y.WorkerIndex, 0, pool.ThreadCount - 1);

        Assert.Equal((3L, 6L), pool.Join<TripleWork, TripleWork, long, long>(new TripleWork(1), new TripleWork(2)));
        Assert.Equal(Fib.Sequential(16), Fib.State(pool, 16));
    }, nameof(Join_EveryForm_BothHalvesRunOnWorkers)));

    private static void AssertJoinOnWorkers(WorkStealingPool pool, RanAt a, RanAt b)
    {
        Guests.AssertRanOnWorker(pool, a);
        Guests.AssertRanOnWorker(pool, b);
    }

    [Theory]
    [InlineData(Fallback.NoGuestSlots)]
    [InlineData(Fallback.FullGuestTable)]
    public void Scope_EveryForm_BodyAndSpawnsRunOnWorkers(Fallback why) => Bounded.Run(() => WithFallback(why, 2, pool =>
    {
        const int Spawns = 100;
        var body = new RanAt();
        var spawns = new RanAt[Spawns];
        pool.Scope(scope =>
        {
            body.Record();
            for (int i = 0; i < Spawns; i++)
            {
                RanAt spawn = spawns[i] = new RanAt();
                scope.Spawn(_ => spawn.Record());
            }
        });
        Guests.AssertRanOnWorker(pool, body);
        Assert.All(spawns, s => Guests.AssertRanOnWorker(pool, s));

        body = new RanAt();
        var counts = new int[Spawns];
        pool.Scope((body, counts), static (s, scope) =>
        {
            s.body.Record();
            for (int i = 0; i < Spawns; i++)
            {
                scope.Spawn((s.counts, i), static (t, _) => Interlocked.Increment(ref t.counts[t.i]));
            }
        });
        Guests.AssertRanOnWorker(pool, body);
        Assert.All(counts, c => Assert.Equal(1, c));

        var structBody = new RecordingScope(new RanAt());
        pool.Scope(ref structBody);
        Guests.AssertRanOnWorker(pool, structBody.Body);
    }, nameof(Scope_EveryForm_BodyAndSpawnsRunOnWorkers)));

    [Theory]
    [InlineData(Fallback.NoGuestSlots)]
    [InlineData(Fallback.FullGuestTable)]
    public void Loops_EveryKind_NoPieceRunsOnTheCaller(Fallback why) => Bounded.Run(() => WithFallback(why, 2, pool =>
    {
        const int Length = 1_000;
        var threads = new Thread?[Length];
        var indices = new int[Length];
        var runs = new int[Length];
        void Record(long i)
        {
            Interlocked.Increment(ref runs[i]);
            threads[i] = Thread.CurrentThread;
            indices[i] = WorkStealingPool.CurrentWorkerIndex;
        }

        void AssertOnWorkers()
        {
            Assert.All(runs, r => Assert.Equal(1, r));
            Assert.All(threads, t => Assert.NotSame(Thread.CurrentThread, t));
            Assert.All(indices, i => Assert.InRange(i, 0, pool.ThreadCount - 1));
            Array.Clear(runs);
        }

        pool.For(0, Length, i => Record(i));
        AssertOnWorkers();
        pool.ForEach(Enumerable.Range(0, Length).ToArray(), e => Record(e));
        AssertOnWorkers();
        Assert.Equal(499_500L, pool.Reduce(0, Length, 0L, (acc, i) =>
        {
            Record(i);
            return acc + i;
        }, static (a, b) => a + b));
        AssertOnWorkers();
        Assert.Equal(499_500L, pool.Reduce(0, Length, 0L, (acc, i) =>
        {
            Record(i);
            return acc + i;
        }, static (a, b) => a + b, deterministic: true));
        AssertOnWorkers();
        Assert.True(pool.For(0L, Length, (i, _) => Record(i)).IsCompleted);
        AssertOnWorkers();
    }, nameof(Loops_EveryKind_NoPieceRunsOnTheCaller)));

    [Fact]
    public void FullGuestTable_SecondThreadRunsOnAWorker_ThenAsAGuestOnceTheSlotIsFree() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        Assert.Equal(3, pool.ParticipantCount);
        for (int round = 0; round < 5; round++)
        {
            Guests.WithFullGuestTable(pool, () =>
            {
                (int index, string? name, Thread thread) = pool.Install(static () => (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread.Name, Thread.CurrentThread));
                Assert.InRange(index, 0, pool.ThreadCount - 1);
                Assert.Equal($"{pool.Name}-{index}", name);
                Assert.NotSame(Thread.CurrentThread, thread);
            });

            // The holder left: its slot is free for this thread.
            (int guestIndex, Thread guestThread) = pool.Install(static () => (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread));
            Assert.Equal(pool.ThreadCount, guestIndex);
            Assert.Same(Thread.CurrentThread, guestThread);
        }
    });

    [Fact]
    public void FromAParticipantOfAnotherPool_RunsOnAWorkerOfThisPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using WorkStealingPool other = Pools.Create(1);

        // From a guest of the other pool (this thread, inside other.Install) ...
        var fromGuest = new RanAt();
        other.Install(() =>
        {
            Assert.True(Guests.IsGuestIndex(other, WorkStealingPool.CurrentWorkerIndex));
            pool.Install(fromGuest.Record);
            Assert.Same(other, WorkStealingPool.Current);
        });
        Guests.AssertRanOnWorker(pool, fromGuest);

        // ... and from a worker of the other pool.
        var fromWorker = new RanAt();
        Thread? otherWorker = null;
        Sides.OnWorker(other, () =>
        {
            otherWorker = Thread.CurrentThread;
            pool.Join(fromWorker.Record, static () => { });
        });
        Assert.Equal(1, fromWorker.Runs);
        Assert.Same(pool, fromWorker.Pool);
        Assert.NotSame(otherWorker, fromWorker.Thread);
        Assert.InRange(fromWorker.Index, 0, pool.ThreadCount - 1);
    });

    [Fact]
    public void SpawnFromOutside_WithFreeGuestSlots_RunsOnAWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var ran = new RanAt();
        var done = new Gate("the spawned job");
        pool.Spawn(() =>
        {
            ran.Record();
            done.Signal();
        });
        done.Wait();
        Guests.AssertRanOnWorker(pool, ran);
    });

    private readonly struct RecordingScope(RanAt body) : IScopeWork
    {
        public RanAt Body => body;

        public void Run(Scope scope) => body.Record();
    }
}
