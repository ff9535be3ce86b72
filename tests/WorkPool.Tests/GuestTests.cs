using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>
/// Guest calls: a thread outside every pool that calls Install, Join or Scope takes a guest slot
/// and runs the work itself, on its own thread and stack, with its own name and execution
/// context; inside, the pool is <see cref="WorkStealingPool.Current"/> and the index is the
/// guest slot's. Every form, exact results.
/// </summary>
public class GuestTests
{
    [Fact]
    public void Install_EveryForm_RunsOnTheCallingThread_AsAGuest() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var ran = new RanAt();
        pool.Install(ran.Record);
        Guests.AssertRanAsGuestOfCaller(pool, ran);

        ran = new RanAt();
        Assert.Equal(42, pool.Install(() =>
        {
            ran.Record();
            return 42;
        }));
        Guests.AssertRanAsGuestOfCaller(pool, ran);

        ran = new RanAt();
        pool.Install(ran, static r => r.Record());
        Guests.AssertRanAsGuestOfCaller(pool, ran);

        ran = new RanAt();
        Assert.Equal(43L, pool.Install((ran, 42L), static s =>
        {
            s.ran.Record();
            return s.Item2 + 1;
        }));
        Guests.AssertRanAsGuestOfCaller(pool, ran);

        var work = new AddWork(20, 22);
        pool.Install(ref work);
        Assert.Equal((42, 1), (work.Sum, work.Runs));
        Assert.Same(pool, work.Pool);
        Assert.True(Guests.IsGuestIndex(pool, work.WorkerIndex), $"index {work.WorkerIndex}");

        Assert.Equal(42L, pool.Install<TripleWork, long>(new TripleWork(14)));
        string where = pool.Install<WhereWork, string>(new WhereWork("w"));
        Assert.True(Guests.IsGuestIndex(pool, int.Parse(where.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture)), where);
    });

    [Fact]
    public void Install_CallersNameStackAndExecutionContext_AreSeenInside() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var local = new AsyncLocal<string> { Value = "caller's" };
        Thread.CurrentThread.Name ??= "named-caller";
        (string? name, string? value, string stack, int index) = InstallFromMarkedFrame(pool, local);
        Assert.Equal(Thread.CurrentThread.Name, name);
        Assert.Equal("caller's", value);
        Assert.Contains(nameof(InstallFromMarkedFrame), stack, StringComparison.Ordinal);
        Assert.True(Guests.IsGuestIndex(pool, index), $"index {index}");
    });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (string?, string?, string, int) InstallFromMarkedFrame(WorkStealingPool pool, AsyncLocal<string> local) =>
        pool.Install(local, static l => (Thread.CurrentThread.Name, l.Value, new StackTrace().ToString(), WorkStealingPool.CurrentWorkerIndex));

    [Fact]
    public void Install_CurrentIndexAndForkContext_DescribeTheGuest_AndAreRestoredAfterwards() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        for (int i = 0; i < 100; i++)
        {
            var probe = new ContextProbe();
            pool.Install(ref probe);
            Assert.Same(pool, probe.Pool);
            Assert.Same(pool, probe.ContextPool);
            Assert.Same(pool, probe.ForkJoinPool);
            Assert.Equal(probe.Index, probe.ContextIndex);
            Assert.True(Guests.IsGuestIndex(pool, probe.Index), $"index {probe.Index}");

            // A call into the same pool from inside the guest call is a plain call on the guest.
            Assert.Equal(probe.Index, probe.NestedIndex);
            Assert.Same(Thread.CurrentThread, probe.NestedThread);

            Assert.Null(WorkStealingPool.Current);
            Assert.Equal(-1, WorkStealingPool.CurrentWorkerIndex);
            Assert.Same(WorkStealingPool.Default, ForkJoin.CurrentPool);
        }
    });

    [Fact]
    public void Join_EveryForm_AOnTheCallingThreadAsAGuest_BOnAParticipant() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var a = new RanAt();
        var b = new RanAt();
        pool.Join(a.Record, b.Record);
        AssertJoinRan(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        Assert.Equal((1, "b"), pool.Join(
            () =>
            {
                a.Record();
                return 1;
            },
            () =>
            {
                b.Record();
                return "b";
            }));
        AssertJoinRan(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        pool.Join((a, b), static s => s.a.Record(), static s => s.b.Record());
        AssertJoinRan(pool, a, b);

        (a, b) = (new RanAt(), new RanAt());
        Assert.Equal((10L, 20L), pool.Join((a, b), static s =>
        {
            s.a.Record();
            return 10L;
        }, static s =>
        {
            s.b.Record();
            return 20L;
        }));
        AssertJoinRan(pool, a, b);

        var x = new AddWork(1, 2);
        var y = new AddWork(3, 4);
        pool.Join(ref x, ref y);
        Assert.Equal((3, 1, 7, 1), (x.Sum, x.Runs, y.Sum, y.Runs));
        Assert.True(Guests.IsGuestIndex(pool, x.WorkerIndex), $"index {x.WorkerIndex}");
        Assert.InRange(y.WorkerIndex, 0, pool.ParticipantCount - 1);

        Assert.Equal((3L, 6L), pool.Join<TripleWork, TripleWork, long, long>(new TripleWork(1), new TripleWork(2)));
        Assert.Equal(Fib.Sequential(18), Fib.State(pool, 18));
        Assert.Equal(Fib.Sequential(18), Fib.Funcs(pool, 18));
        var fib = new FibWork(pool, 18);
        fib.Run(default);
        Assert.Equal(Fib.Sequential(18), fib.Result);
        Assert.Equal(Fib.Sequential(18), new FibResultWork(pool, 18).Run(default));
    });

    /// <summary>A ran on the calling thread as a guest; B ran once, inline on the caller (same index) or on another participant.</summary>
    private static void AssertJoinRan(WorkStealingPool pool, RanAt a, RanAt b)
    {
        Guests.AssertRanAsGuestOfCaller(pool, a);
        Assert.Equal(1, b.Runs);
        Assert.Same(pool, b.Pool);
        if (b.Thread == Thread.CurrentThread)
        {
            Assert.Equal(a.Index, b.Index);
        }
        else
        {
            Assert.NotEqual(a.Index, b.Index);
            Assert.InRange(b.Index, 0, pool.ParticipantCount - 1);
        }
    }

    [Fact]
    public void Scope_EveryForm_BodyOnTheCallingThreadAsAGuest_EverySpawnRunsOnce() => Bounded.Run(() =>
    {
        const int Spawns = 200;
        using WorkStealingPool pool = Pools.Create(2);
        var body = new RanAt();
        var runs = new int[Spawns];
        var where = new int[Spawns];
        pool.Scope(scope =>
        {
            body.Record();
            Assert.Same(pool, scope.Pool);
            for (int i = 0; i < Spawns; i++)
            {
                int id = i;
                scope.Spawn(_ =>
                {
                    Interlocked.Increment(ref runs[id]);
                    where[id] = WorkStealingPool.CurrentWorkerIndex;
                });
            }
        });
        Guests.AssertRanAsGuestOfCaller(pool, body);
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.All(where, w => Assert.InRange(w, 0, pool.ParticipantCount - 1));

        body = new RanAt();
        Array.Clear(runs);
        pool.Scope((body, runs), static (s, scope) =>
        {
            s.body.Record();
            for (int i = 0; i < Spawns; i++)
            {
                scope.Spawn((s.runs, i), static (t, _) => Interlocked.Increment(ref t.runs[t.i]));
            }
        });
        Guests.AssertRanAsGuestOfCaller(pool, body);
        Assert.All(runs, r => Assert.Equal(1, r));

        var structBody = new SpawnCountingScope(new long[1], Spawns);
        pool.Scope(ref structBody);
        Assert.Equal(Spawns, Interlocked.Read(ref structBody.Count[0]));
        Assert.Same(Thread.CurrentThread, structBody.BodyThread);
        Assert.True(Guests.IsGuestIndex(pool, structBody.BodyIndex), $"index {structBody.BodyIndex}");
    });

    [Fact]
    public void SpawnFromInsideAGuestCall_RunsOnAWorker_BroadcastRunsOnEveryWorkerOnly() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        var spawned = new RanAt();
        var spawnRan = new Gate("the spawned job to run");
        var broadcastIndices = new int[pool.ThreadCount];
        var broadcastThreads = new Thread?[pool.ThreadCount];
        pool.Install(() =>
        {
            // Fire-and-forget: through the ring to the workers; the guest call does not wait for it.
            pool.Spawn(() =>
            {
                spawned.Record();
                spawnRan.Signal();
            });
            pool.Broadcast(index =>
            {
                Interlocked.Increment(ref broadcastIndices[index]);
                broadcastThreads[index] = Thread.CurrentThread;
                Assert.Equal(index, WorkStealingPool.CurrentWorkerIndex);
            });
        });
        spawnRan.Wait();
        Guests.AssertRanOnWorker(pool, spawned);
        Assert.All(broadcastIndices, n => Assert.Equal(1, n));
        Assert.All(broadcastThreads, t => Assert.NotSame(Thread.CurrentThread, t));
        Assert.Equal(pool.ThreadCount, broadcastThreads.Distinct().Count());
    });

    [Fact]
    public void GuestSlots_Option_DefaultRangeAndParticipantCount()
    {
        var options = new WorkStealingPoolOptions { ThreadCount = 2 };
        Assert.Equal(4, options.GuestSlots);
        options.ThreadCount = 7;
        Assert.Equal(7, options.GuestSlots);
        options.GuestSlots = 0;
        Assert.Equal(0, options.GuestSlots);
        options.GuestSlots = WorkStealingPoolOptions.MaxGuestSlots;
        Assert.Equal(WorkStealingPoolOptions.MaxGuestSlots, options.GuestSlots);
        Assert.Throws<ArgumentOutOfRangeException>("GuestSlots", () => options.GuestSlots = -1);
        Assert.Throws<ArgumentOutOfRangeException>("GuestSlots", () => options.GuestSlots = WorkStealingPoolOptions.MaxGuestSlots + 1);
        Assert.Equal(WorkStealingPoolOptions.MaxGuestSlots, options.GuestSlots);

        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 3);
        Assert.Equal(5, pool.ParticipantCount);
        using WorkStealingPool none = Pools.CreateWithoutGuests(2);
        Assert.Equal(2, none.ParticipantCount);
    }

    /// <summary>Records what a struct body sees inside a guest call, and a nested Install's index and thread.</summary>
    private struct ContextProbe : IWork
    {
        public WorkStealingPool? Pool;
        public WorkStealingPool? ContextPool;
        public WorkStealingPool? ForkJoinPool;
        public int Index;
        public int ContextIndex;
        public int NestedIndex;
        public Thread? NestedThread;

        public void Run(ForkContext context)
        {
            Pool = WorkStealingPool.Current;
            ContextPool = context.Pool;
            ForkJoinPool = ForkJoin.CurrentPool;
            Index = WorkStealingPool.CurrentWorkerIndex;
            ContextIndex = context.WorkerIndex;
            (NestedIndex, NestedThread) = context.Pool.Install(static () => (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread));
        }
    }

    /// <summary>A struct scope body that spawns <c>spawns</c> counting jobs and records where it ran.</summary>
    private struct SpawnCountingScope(long[] count, int spawns) : IScopeWork
    {
        public readonly long[] Count = count;
        public Thread? BodyThread;
        public int BodyIndex;

        public void Run(Scope scope)
        {
            BodyThread = Thread.CurrentThread;
            BodyIndex = WorkStealingPool.CurrentWorkerIndex;
            for (int i = 0; i < spawns; i++)
            {
                scope.Spawn(Count, static (c, _) => Interlocked.Increment(ref c[0]));
            }
        }
    }
}
