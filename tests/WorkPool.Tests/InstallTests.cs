using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>Every Install form returns the right value, from outside the pool (a guest call on the calling thread) and from inside a worker (where it is a plain inline call).</summary>
public class InstallTests
{
    [Fact]
    public void InterruptedWhileWaiting_InstallReturnsOnlyAfterItsJob_ThenRethrowsTheInterrupt() => Bounded.Run(() =>
    {
        // No guest slots: the worker runs the job while the caller waits for it.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => o.SpinCount = 0);
        var started = new Gate("the installed job to start");
        var release = new Gate("the test to release the job");
        int ran = 0;
        int ranWhenThrown = -1;
        Exception? caught = null;
        var caller = new Thread(() =>
        {
            try
            {
                pool.Install(() =>
                {
                    started.Signal();
                    release.Wait();
                    Volatile.Write(ref ran, 1);
                });
            }
            catch (ThreadInterruptedException e)
            {
                ranWhenThrown = Volatile.Read(ref ran);
                caught = e;
            }
        })
        { IsBackground = true, Name = "interrupted-installer" };
        caller.Start();
        started.Wait();
        Bounded.Until(() => (caller.ThreadState & ThreadState.WaitSleepJoin) != 0, "the caller to park");
        caller.Interrupt();
        Bounded.Until(() => Volatile.Read(ref caught) is not null || (caller.ThreadState & ThreadState.WaitSleepJoin) != 0, "the caller to take the interrupt");
        release.Signal();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted caller hung");
        Assert.IsType<ThreadInterruptedException>(caught);
        Assert.Equal(1, ranWhenThrown);
        Assert.Equal(7, pool.Install(static () => 7));
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_Action_RunsOnceInThePool(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Seen seen = Seen.None;
            pool.Install(() => seen.Record());
            Assert.Equal(1, seen.Runs);
            AssertRanOnCaller(pool, caller, seen.Pool, seen.Index);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_Func_ReturnsItsResult(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Seen seen = Seen.None;
            int value = pool.Install(() =>
            {
                seen.Record();
                return 42;
            });
            string text = pool.Install(static () => "forty-two");
            Assert.Equal(42, value);
            Assert.Equal("forty-two", text);
            Assert.Equal(1, seen.Runs);
            AssertRanOnCaller(pool, caller, seen.Pool, seen.Index);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_StateAction_PassesTheState(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            var box = new StrongBox<Seen>(Seen.None);
            var values = new int[1];
            pool.Install((box, values, 17), static s =>
            {
                s.box.Value.Record();
                s.values[0] += s.Item3;
            });
            Assert.Equal(17, values[0]);
            Assert.Equal(1, box.Value.Runs);
            AssertRanOnCaller(pool, caller, box.Value.Pool, box.Value.Index);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_StateFunc_ReturnsItsResult(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            (long value, WorkStealingPool? where, int index) = pool.Install(40L, static s => (s + 2, WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex));
            Assert.Equal(42L, value);
            AssertRanOnCaller(pool, caller, where, index);
            Assert.Equal("x:7", pool.Install(7, static s => "x:" + s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_RefStruct_CarriesFieldsBack(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            var work = new AddWork(20, 22);
            pool.Install(ref work);
            Assert.Equal(42, work.Sum);
            Assert.Equal(1, work.Runs);
            Assert.Equal(20, work.X);
            AssertRanOnCaller(pool, caller, work.Pool, work.WorkerIndex);

            // Again with the same struct: the body sees the state the first run left.
            pool.Install(ref work);
            Assert.Equal(2, work.Runs);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Install_ResultStruct_ReturnsItsResult(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Assert.Equal(42L, pool.Install<TripleWork, long>(new TripleWork(14)));
            string where = pool.Install<WhereWork, string>(new WhereWork("w"));
            int index = int.Parse(where.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            AssertRanOnCaller(pool, caller, pool, index);
        });
    });

    [Fact]
    public void Install_ManySequentialCalls_EachReturnsItsOwnResult() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(i * 2, pool.Install(i, static i => i * 2));
        }
    });

    [Fact]
    public void ForkJoinInstall_InsideAWorker_RunsInlineOnTheCurrentPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(() =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Assert.Same(pool, ForkJoin.CurrentPool);

            Seen seen = Seen.None;
            ForkJoin.Install(() => seen.Record());
            Assert.Equal(1, seen.Runs);
            Sides.AssertRanOn(pool, caller, seen.Pool, seen.Index);

            Assert.Equal((pool, caller), ForkJoin.Install(static () => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex)));

            var counter = new int[1];
            ForkJoin.Install(counter, static c => c[0] += WorkStealingPool.CurrentWorkerIndex + 1);
            Assert.Equal(caller + 1, counter[0]);

            Assert.Equal(caller + 100, ForkJoin.Install(100, static s => s + WorkStealingPool.CurrentWorkerIndex));

            var work = new AddWork(1, 2);
            ForkJoin.Install(ref work);
            Assert.Equal(3, work.Sum);
            Sides.AssertRanOn(pool, caller, work.Pool, work.WorkerIndex);

            Assert.Equal(42L, ForkJoin.Install<TripleWork, long>(new TripleWork(14)));
            Assert.Equal($"s@{caller}", ForkJoin.Install<WhereWork, string>(new WhereWork("s")));
        });
    });

    [Fact]
    public void ForkJoinInstall_Outside_UsesTheDefaultPool() => Bounded.Run(() =>
    {
        WorkStealingPool d = WorkStealingPool.Default;
        Assert.Same(d, ForkJoin.CurrentPool);
        Assert.Same(d, WorkStealingPool.Default);
        Assert.False(d.IsDisposed);

        Seen seen = Seen.None;
        Thread? thread = null;
        ForkJoin.Install(() =>
        {
            seen.Record();
            thread = Thread.CurrentThread;
        });
        Assert.Equal(1, seen.Runs);
        Sides.AssertRanOn(d, -1, seen.Pool, seen.Index);
        if (seen.Index >= d.ThreadCount)
        {
            // A guest call: this thread ran it.
            Assert.Same(Thread.CurrentThread, thread);
        }
        else
        {
            // Every guest slot of the shared pool was taken (other tests use it too): a worker ran it.
            Assert.Equal($"WorkPool.Default-{seen.Index}", thread!.Name);
        }

        Assert.Same(d, ForkJoin.Install(static () => WorkStealingPool.Current));

        var box = new StrongBox<WorkStealingPool?>();
        ForkJoin.Install(box, static b => b.Value = WorkStealingPool.Current);
        Assert.Same(d, box.Value);

        Assert.Equal(42, ForkJoin.Install(41, static s => s + 1));

        var work = new AddWork(40, 2);
        ForkJoin.Install(ref work);
        Assert.Equal(42, work.Sum);
        Sides.AssertRanOn(d, -1, work.Pool, work.WorkerIndex);

        Assert.Equal(42L, ForkJoin.Install<TripleWork, long>(new TripleWork(14)));
    });

    /// <summary>
    /// Where an Install ran: inline on a worker that called it, or, called from outside (a fresh
    /// pool, one caller, so a guest slot is free), on the calling thread as a guest.
    /// </summary>
    private static void AssertRanOnCaller(WorkStealingPool pool, int caller, WorkStealingPool? seenPool, int seenIndex)
    {
        Sides.AssertRanOn(pool, caller, seenPool, seenIndex);
        if (caller < 0)
        {
            Assert.InRange(seenIndex, pool.ThreadCount, pool.ParticipantCount - 1);
        }
    }
}
