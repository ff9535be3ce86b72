using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// The per-thread statistics registry: counters add up exactly after known work, outside
/// threads get slots that are reused after they exit (the registry never grows), reading
/// allocates nothing, and the report names what it counts. The pools have no guest slots, so
/// calls from outside go through the injector ring (guest rows are tested with the guests).
/// </summary>
public class StatisticsTests
{
    private const int Installs = 1_000;

    [Fact]
    public void Installs_EachCountedOnceByTheCallerAndOnceByTheWorkerThatTookIt() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        for (int i = 0; i < Installs; i++)
        {
            pool.Install(static () => { });
        }

        PoolStatistics stats = pool.GetStatistics();
        Assert.True(PoolStatistics.IsEnabled);
        Assert.Equal(Installs, stats.Total.Installs);
        Assert.Equal(Installs, stats.Total.InjectorJobs);
        Assert.Equal(Installs, stats.Total.JobsRun);
        Assert.Equal(0, stats.Total.JoinsInline + stats.Total.JoinsPromoted);

        // One outside row, this thread's; every worker row sums to the same count.
        ThreadStatistics caller = Assert.Single(stats.OutsideThreads.ToArray());
        Assert.Equal(ThreadStatisticsKind.OutsideThread, caller.Kind);
        Assert.Equal(Environment.CurrentManagedThreadId, caller.ManagedThreadId);
        Assert.Equal(Installs, caller.Installs);
        Assert.Equal(1, caller.ThreadsServed);
        Assert.Equal(2, stats.Workers.Length);
        long workerInjected = 0;
        foreach (ThreadStatistics worker in stats.Workers)
        {
            Assert.Equal(ThreadStatisticsKind.Worker, worker.Kind);
            Assert.Equal(0, worker.Installs);
            workerInjected += worker.InjectorJobs;
        }

        Assert.Equal(Installs, workerInjected);
        Assert.Equal(0, stats.InjectorDepth);
        Assert.Equal(ThreadStatisticsKind.Total, stats.Total.Kind);
    });

    [Fact]
    public void AfterDispose_FinalFigures_NoWorkerBusySearchingOrAsleep() => Bounded.Run(() =>
    {
        WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        PoolStatistics running = pool.GetStatistics();
        Assert.False(running.IsDisposed);
        for (int i = 0; i < Installs; i++)
        {
            pool.Install(static () => { });
        }

        pool.Dispose();
        PoolStatistics stats = pool.GetStatistics();
        Assert.True(stats.IsDisposed);
        Assert.Equal(2, stats.WorkerCount);
        Assert.Equal(0, stats.BusyWorkers);
        Assert.Equal(0, stats.SearchingWorkers);
        Assert.Equal(0, stats.SleepingWorkers);
        Assert.Equal(Installs, stats.Total.Installs);
        Assert.Equal(Installs, stats.Total.JobsRun);
        string report = stats.ToString();
        Assert.Contains("2 workers (disposed: exited)", report, StringComparison.Ordinal);
        Assert.DoesNotContain("busy", report, StringComparison.Ordinal);
    });

    [Fact]
    public void JoinsAndLoopsFromOutside_AreInstalls_AndEveryJoinHasExactlyOneOutcome() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        pool.Join(static () => { }, static () => { });
        // A deterministic reduction from outside is installed as one tree (a caller-first For
        // would run this short loop on the calling thread, or hand it off by timing).
        Assert.Equal(4950L, pool.Reduce(0, 100, 0L, static (acc, i) => acc + i, static (a, b) => a + b, deterministic: true));

        var fib = new FibWork(pool, 20);
        pool.Install(ref fib);
        Assert.Equal(Fib.Sequential(20), fib.Result);

        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(3, total.Installs);
        Assert.Equal(3, total.InjectorJobs);
        // Fib(20) forks F(21) − 1 Joins, the outside Join one, the reduction over 100 indices 99
        // (binary splitting down to single indices). Each either ran B inline, took a promoted
        // B back, or waited while B ran as a job.
        long joins = Fib.Sequential(21) - 1 + 1 + 99;
        Assert.Equal(joins, total.JoinsInline + total.JoinsTakenBack + total.JoinHalvesTaken);
        AssertJobsAddUp(total);
    });

    [Fact]
    public void ScopeSpawnsAndOutsideSpawns_AreCountedExactly() => Bounded.Run(() =>
    {
        const int ScopeSpawns = 100;
        const int OutsideSpawns = 50;
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        long[] cells = new long[2];
        pool.Scope(cells, static (c, scope) =>
        {
            for (int i = 0; i < ScopeSpawns; i++)
            {
                scope.Spawn(c, static (c, _) => Interlocked.Increment(ref c[0]));
            }
        });
        Assert.Equal(ScopeSpawns, Interlocked.Read(ref cells[0]));
        for (int i = 0; i < OutsideSpawns; i++)
        {
            pool.Spawn(cells, static c => Interlocked.Increment(ref c[1]));
        }

        Bounded.Until(() => Interlocked.Read(ref cells[1]) == OutsideSpawns, "every fire-and-forget spawn to run");

        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(ScopeSpawns, total.JobsSpawned);
        Assert.Equal(1 + OutsideSpawns, total.Installs);
        Assert.True(total.MaxDequeDepth >= 1);
        AssertJobsAddUp(total);
    });

    [Fact]
    public void StolenHalf_IsCountedAsTakenAndStolen_AndJobsRunEqualsJobsSubmitted() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        var join = new StolenJoin();
        var pair = new StolenJoin.Pair(join);
        pool.Install(ref pair);
        join.AssertBRanOnAnotherWorker();

        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(1 + join.EmptyJoins, total.JoinsInline + total.JoinsTakenBack + total.JoinHalvesTaken);
        Assert.True(total.JoinHalvesTaken >= 1, "B ran on the other worker, as a job");
        Assert.True(total.JobsStolen >= 1, "the other worker took B (stolen from the deque or claimed from the offer)");
        // B was shared either by promotion (pushed onto the deque) or by a claim of the Join's
        // offer (no deque involved); both count as a promoted half.
        Assert.True(total.JoinsPromoted >= 1, "B was shared (promoted or claimed)");
        AssertJobsAddUp(total);
    });

    [Fact]
    public void ThousandShortLivedThreads_RegistryStaysBounded_SlotsAreReused_CountsStayExact() => Bounded.Run(() =>
    {
        const int Batches = 125;
        const int ThreadsPerBatch = 8; // more live callers than slots: some share the overflow slot
        const int InstallsPerThread = 3;
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2, o => o.StatisticsSlots = 4);
        int slotCount = pool.StatisticsRegistry.SlotCount;
        for (int batch = 0; batch < Batches; batch++)
        {
            Bounded.Threads(ThreadsPerBatch, _ =>
            {
                for (int i = 0; i < InstallsPerThread; i++)
                {
                    pool.Install(static () => { });
                }
            });
        }

        const int threads = Batches * ThreadsPerBatch;
        PoolStatistics stats = pool.GetStatistics();
        Assert.Equal(slotCount, pool.StatisticsRegistry.SlotCount);
        Assert.Equal(2 + 4 + 1, slotCount);
        Assert.InRange(stats.OutsideThreads.Length, 1, 4 + 1);
        Assert.Equal(threads * InstallsPerThread, stats.Total.Installs);
        Assert.Equal(threads * InstallsPerThread, stats.Total.InjectorJobs);
        Assert.Equal(threads * InstallsPerThread, stats.Total.JobsRun);
        Assert.Equal(threads, stats.Total.ThreadsServed);
        Assert.Contains(stats.OutsideThreads.ToArray(), static row => row.Kind == ThreadStatisticsKind.OutsideThread && row.ThreadsServed > 1);
    });

    [Fact]
    public void ReadersDuringLoad_SeeEveryCounterOnlyGrow_AndTotalsAreExactAfterwards() => Bounded.Run(() =>
    {
        // 4 callers (2 slots, so the shared slot is in use too), 2 readers, 2 workers: more
        // threads than cores, all touching the registry at once.
        const int Callers = 4;
        const int Readers = 2;
        const int Rounds = 500;
        const int FibN = 10;
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2, o => o.StatisticsSlots = 2);
        int callersDone = 0;
        long reads = 0;
        Bounded.Threads(Callers + Readers, i =>
        {
            if (i < Callers)
            {
                for (int round = 0; round < Rounds; round++)
                {
                    pool.Install(static () => { });
                    var fib = new FibWork(pool, FibN);
                    pool.Install(ref fib);
                    Assert.Equal(Fib.Sequential(FibN), fib.Result);
                }

                Interlocked.Increment(ref callersDone);
                return;
            }

            var snapshot = new PoolStatistics();
            long[] previous = new long[Monotonic(default).Length];
            while (Volatile.Read(ref callersDone) < Callers)
            {
                pool.GetStatistics(snapshot);
                long[] now = Monotonic(snapshot.Total);
                for (int c = 0; c < now.Length; c++)
                {
                    Assert.True(now[c] >= previous[c], $"counter {c} went from {previous[c]} down to {now[c]}");
                }

                previous = now;
                Interlocked.Increment(ref reads);
            }
        });

        Assert.True(Volatile.Read(ref reads) > 0);
        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(Callers * Rounds * 2, total.Installs);
        Assert.Equal(Callers * Rounds * (Fib.Sequential(FibN + 1) - 1), total.JoinsInline + total.JoinsTakenBack + total.JoinHalvesTaken);
        AssertJobsAddUp(total);
    });

    /// <summary>The counters of a total that can only grow, in a fixed order.</summary>
    private static long[] Monotonic(in ThreadStatistics t) =>
    [
        t.JobsRun, t.JobsStolen, t.FailedSteals, t.InjectorJobs, t.JoinsInline, t.JoinsPromoted, t.JoinsTakenBack,
        t.JoinHalvesTaken, t.Sleeps, t.Wakeups, t.MaxDequeDepth, t.AllocatedBytes, t.Installs, t.RingFullWaits, t.ThreadsServed, t.JobsSpawned,
    ];

    [Fact]
    public void ThreadAlternatingBetweenPools_KeepsOneSlotInEach() => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.CreateWithoutGuests(1, test: "alternate-a");
        using WorkStealingPool b = Pools.CreateWithoutGuests(1, test: "alternate-b");
        for (int i = 0; i < 10; i++)
        {
            a.Install(static () => { });
            b.Install(static () => { });
            b.Install(static () => { });
        }

        ThreadStatistics inA = Assert.Single(a.GetStatistics().OutsideThreads.ToArray());
        ThreadStatistics inB = Assert.Single(b.GetStatistics().OutsideThreads.ToArray());
        Assert.Equal(10, inA.Installs);
        Assert.Equal(20, inB.Installs);
        Assert.Equal(1, inA.ThreadsServed);
        Assert.Equal(1, inB.ThreadsServed);
    });

    [Fact]
    public void WorkerOfAnotherPool_GetsAnOutsideSlot_InThePoolItInstallsInto() => Bounded.Run(() =>
    {
        using WorkStealingPool inner = Pools.CreateWithoutGuests(1, test: "cross-inner");
        using WorkStealingPool outer = Pools.CreateWithoutGuests(1, test: "cross-outer");
        int outerWorkerThread = outer.Install(inner, static p =>
        {
            for (int i = 0; i < 5; i++)
            {
                p.Install(static () => { });
            }

            return Environment.CurrentManagedThreadId;
        });

        ThreadStatistics row = Assert.Single(inner.GetStatistics().OutsideThreads.ToArray());
        Assert.Equal(outerWorkerThread, row.ManagedThreadId);
        Assert.Equal(5, row.Installs);
        Assert.Equal(1, outer.GetStatistics().Total.Installs);
    });

    [Fact]
    public void FullRing_CallersWaitAndTheWaitIsCounted() => Bounded.Run(() =>
    {
        // Ring of 2, one worker held in a job: the third and later outside Installs find the
        // ring full until the worker is released.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => o.InjectorCapacity = 2);
        var holding = new Gate("the worker to be held");
        var release = new Gate("the test to release the held worker");
        var holder = new Thread(() => pool.Install((holding, release), static s =>
        {
            s.holding.Signal();
            s.release.Wait();
        }));
        holder.Start();
        holding.Wait();
        int callers = 4;
        var done = new Gate("every caller's Install", callers);
        for (int i = 0; i < callers; i++)
        {
            new Thread(() =>
            {
                pool.Install(static () => { });
                done.Signal();
            }).Start();
        }

        // Two fit into the ring; the others register as blocked producers.
        Bounded.Until(() => pool.InstallRing.Count == 2 && pool.InstallRing.WaitingProducers == callers - 2, "two callers to block on the full ring");
        release.Signal();
        done.Wait();
        Assert.True(holder.Join(Bounded.WaitLimit));

        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(callers + 1, total.Installs);
        Assert.True(total.RingFullWaits >= callers - 2, $"{total.RingFullWaits} ring-full waits counted");
        Assert.True(total.RingBlockedTime > TimeSpan.Zero);
    });

    [Fact]
    public void ReadingIntoAReusedSnapshot_AllocatesNothing_OnTheReadingThread() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        pool.Install(static () => { });
        var snapshot = new PoolStatistics();
        pool.GetStatistics(snapshot);
        pool.GetStatistics(snapshot);

        // The read runs entirely on this thread (no worker is involved), so this thread's exact
        // counter is the right measure; AllocationTests checks the same process-wide in a child.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 1_000; i++)
        {
            pool.GetStatistics(snapshot);
            sum += snapshot.Total.Installs + snapshot.Workers[0].JobsRun + snapshot.OutsideThreads.Length;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum >= 2_000);
    });

    [Fact]
    public void Report_ShowsThePoolWorkersAndOutsideThreads() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2, o => o.Name = "report-pool");
        for (int i = 0; i < 7; i++)
        {
            pool.Install(static () => { });
        }

        string report = pool.GetStatistics().ToString();
        string[] lines = report.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("WorkPool statistics: pool \"report-pool\", 2 workers", lines[0], StringComparison.Ordinal);
        Assert.Contains("jobs run", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("0 ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("1 ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("total ", lines[4], StringComparison.Ordinal);
        Assert.Equal(7L, long.Parse(lines[4].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("installs", lines[5], StringComparison.Ordinal);
        string[] caller = lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("#" + Environment.CurrentManagedThreadId, caller[0]);
        Assert.Equal("7", caller[1]);
        Assert.StartsWith("total ", lines[7], StringComparison.Ordinal);
        Assert.Equal(8, lines.Length);
    });

    [Fact]
    public void DumpOnCall_FromAnOutsideThread_WhileAWorkerIsBusy_DoesNotWaitForIt() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2, o => o.Name = "busy-dump");
        var running = new Gate("the job to start");
        var release = new Gate("the dump to finish");
        var job = new Thread(() => pool.Install((running, release), static s =>
        {
            s.running.Signal();
            s.release.Wait();
        }));
        job.Start();
        running.Wait();

        // The worker is held inside a job: the dump must not need it.
        using var output = new StringWriter();
        pool.WriteStatistics(output);
        PoolStatistics stats = pool.GetStatistics();
        release.Signal();
        Assert.True(job.Join(Bounded.WaitLimit));

        Assert.Contains("pool \"busy-dump\"", output.ToString(), StringComparison.Ordinal);
        Assert.True(stats.BusyWorkers >= 1, $"busy {stats.BusyWorkers}, searching {stats.SearchingWorkers}, asleep {stats.SleepingWorkers}");
        Assert.Equal(1, stats.Total.InjectorJobs);
    });

    [Fact]
    public void Name_DefaultsToThePrefix_AndOptionsAreValidated()
    {
        using (WorkStealingPool pool = Pools.CreateWithoutGuests(1))
        {
            Assert.Equal("wp." + nameof(Name_DefaultsToThePrefix_AndOptionsAreValidated), pool.Name);
        }

        var options = new WorkStealingPoolOptions();
        Assert.Null(options.Name);
        Assert.Equal(64, options.StatisticsSlots);
        Assert.Throws<ArgumentException>("Name", () => options.Name = "");
        options.Name = null;
        Assert.Throws<ArgumentOutOfRangeException>("StatisticsSlots", () => options.StatisticsSlots = 0);
        Assert.Throws<ArgumentOutOfRangeException>("StatisticsSlots", () => options.StatisticsSlots = WorkStealingPoolOptions.MaxStatisticsSlots + 1);
        options.StatisticsSlots = WorkStealingPoolOptions.MaxStatisticsSlots;
        Assert.Equal(WorkStealingPoolOptions.MaxStatisticsSlots, options.StatisticsSlots);
        Assert.Throws<ArgumentNullException>("snapshot", () => WorkStealingPool.Default.GetStatistics(null!));
        Assert.Throws<ArgumentNullException>("output", () => WorkStealingPool.Default.WriteStatistics(null!));
    }

    [Fact]
    public void DisposedPool_StillReportsItsFinalFigures()
    {
        WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        pool.Install(static () => { });
        pool.Dispose();
        Assert.Equal(1, pool.GetStatistics().Total.JobsRun);
    }

    /// <summary>Every job a worker ran was a publication into the injector, a spawn onto a deque, or a promoted Join half that ran as a job.</summary>
    private static void AssertJobsAddUp(in ThreadStatistics total)
    {
        Assert.Equal(total.JoinsPromoted, total.JoinsTakenBack + total.JoinHalvesTaken);
        Assert.Equal(total.Installs + total.JobsSpawned + total.JoinHalvesTaken, total.JobsRun);
        Assert.Equal(total.Installs, total.InjectorJobs);
    }
}
