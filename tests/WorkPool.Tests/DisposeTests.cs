namespace WorkPool.Tests;

/// <summary>Dispose: finishes queued work, joins every worker, is idempotent and thread-safe, and leaves every entry point throwing ObjectDisposedException.</summary>
public class DisposeTests
{
    /// <summary>Per-worker records taken by the start/exit callbacks.</summary>
    private sealed class WorkerLog
    {
        public readonly Thread?[] Started;
        public readonly Thread?[] Exited;
        public readonly int[] StartCalls;
        public readonly bool[] WasBackground;
        public readonly int[] ExitCalls;

        public WorkerLog(int threads)
        {
            Started = new Thread?[threads];
            Exited = new Thread?[threads];
            StartCalls = new int[threads];
            WasBackground = new bool[threads];
            ExitCalls = new int[threads];
        }

        public void Attach(WorkStealingPoolOptions options)
        {
            options.OnWorkerStart = i =>
            {
                Started[i] = Thread.CurrentThread;
                // Read here: a dead thread's IsBackground cannot be read.
                WasBackground[i] = Thread.CurrentThread.IsBackground;
                Interlocked.Increment(ref StartCalls[i]);
            };
            options.OnWorkerExit = i =>
            {
                Exited[i] = Thread.CurrentThread;
                Interlocked.Increment(ref ExitCalls[i]);
            };
        }

        public bool AllStarted()
        {
            for (int i = 0; i < StartCalls.Length; i++)
            {
                if (Volatile.Read(ref StartCalls[i]) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        public void AssertAllExited(string prefix)
        {
            for (int i = 0; i < Started.Length; i++)
            {
                Assert.Equal(1, Volatile.Read(ref StartCalls[i]));
                Assert.Equal(1, Volatile.Read(ref ExitCalls[i]));
                Thread? thread = Started[i];
                Assert.NotNull(thread);
                Assert.Same(thread, Exited[i]);
                Assert.False(thread.IsAlive, $"worker {i} is still alive after Dispose returned");
                Assert.True(WasBackground[i], $"worker {i} is not a background thread");
                Assert.Equal($"{prefix}-{i}", thread.Name);
            }

            Assert.Equal(Started.Length, Started.Distinct().Count());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public void Dispose_JoinsEveryWorker_CallbacksOncePerWorker_NamedBackgroundThreads(int threads) => Bounded.Run(() =>
    {
        var log = new WorkerLog(threads);
        var pool = Pools.Create(threads, o =>
        {
            o.ThreadNamePrefix = "named";
            log.Attach(o);
        });
        using (pool)
        {
            Assert.Equal(threads, pool.ThreadCount);
            Assert.False(pool.IsDisposed);
            Assert.Equal(Fib.Sequential(15), Fib.State(pool, 15));
            // Work runs on the named workers (an Install from outside would run on this thread, as a guest).
            var names = new string?[threads];
            pool.Broadcast(names, static (names, index) => names[index] = Thread.CurrentThread.Name);
            Assert.Equal(Enumerable.Range(0, threads).Select(i => $"named-{i}"), names);
        }

        Assert.True(pool.IsDisposed);
        log.AssertAllExited("named");
    });

    [Fact]
    public void Dispose_RightAfterConstruction_ManyTimes_EveryWorkerStartsAndExits() => Bounded.Run(() =>
    {
        for (int round = 0; round < 40; round++)
        {
            var log = new WorkerLog(3);
            var pool = Pools.Create(3, o =>
            {
                o.ThreadNamePrefix = "quick";
                o.SpinCount = round % 2 == 0 ? 0 : 512;
                log.Attach(o);
            });
            pool.Dispose();
            log.AssertAllExited("quick");
        }
    });

    [Fact]
    public void Dispose_IdlePoolWhoseWorkersSleep_Returns() => Bounded.Run(() =>
    {
        var log = new WorkerLog(4);
        var pool = Pools.Create(4, o =>
        {
            o.ThreadNamePrefix = "sleepy";
            o.SpinCount = 0;
            log.Attach(o);
        });
        pool.Install(static () => { });
        // Wait (bounded) until every worker has started; with SpinCount = 0 the idle ones park.
        Bounded.Until(() => log.AllStarted(), "every worker to start");
        pool.Dispose();
        log.AssertAllExited("sleepy");
    });

    [Fact]
    public void Dispose_Twice_IsANoOp() => Bounded.Run(() =>
    {
        var log = new WorkerLog(2);
        var pool = Pools.Create(2, o =>
        {
            o.ThreadNamePrefix = "twice";
            log.Attach(o);
        });
        Assert.Equal(4, pool.Install(static () => 4));
        pool.Dispose();
        pool.Dispose();
        Assert.True(pool.IsDisposed);
        log.AssertAllExited("twice");
    });

    [Fact]
    public void Dispose_ConcurrentlyFromManyThreads_EveryCallReturnsAfterTheWorkersExited() => Bounded.Run(() =>
    {
        for (int round = 0; round < 10; round++)
        {
            var log = new WorkerLog(3);
            var pool = Pools.Create(3, o =>
            {
                o.ThreadNamePrefix = "concurrent";
                log.Attach(o);
            });
            Assert.Equal(Fib.Sequential(12), Fib.State(pool, 12));
            Bounded.Until(() => log.AllStarted(), "every worker to start");
            Bounded.Threads(8, _ =>
            {
                pool.Dispose();
                Assert.True(pool.IsDisposed);
                Assert.All(log.Started, t => Assert.False(t!.IsAlive, "a Dispose call returned while a worker was alive"));
            });
            log.AssertAllExited("concurrent");
        }
    });

    [Fact]
    public void Dispose_WhileExternalThreadsAreBlockedInInstall_EachCompletesOrGetsObjectDisposed() => Bounded.Run(() =>
    {
        const int Callers = 8;
        const int MaxCalls = 10_000;
        var log = new WorkerLog(1);
        // No guest slots: the callers' Installs go through the ring (see GuestDisposeTests for guests).
        var pool = Pools.CreateWithoutGuests(1, o =>
        {
            o.ThreadNamePrefix = "blocked";
            o.InjectorCapacity = 2;
            o.SpinCount = 8;
            log.Attach(o);
        });
        var blockerStarted = new Gate("the blocking job to start");
        var releaseBlocker = new Gate("the test to release the blocking job");
        var disposeReturned = new Gate("Dispose to return");
        var runs = new int[Callers, MaxCalls];
        var succeeded = new int[Callers];
        var disposedErrors = new int[Callers];
        bool blockerCompleted = false;

        Bounded.Threads(Callers + 2, t =>
        {
            if (t == Callers)
            {
                // The blocker: occupies the only worker, so the callers' jobs pile up in the ring.
                pool.Install(() =>
                {
                    blockerStarted.Signal();
                    releaseBlocker.Wait();
                });
                blockerCompleted = true;
            }
            else if (t == Callers + 1)
            {
                // The conductor: once the ring is full and callers are blocked, dispose, and only
                // then let the worker go.
                blockerStarted.Wait();
                Bounded.Until(() => pool.InstallRing.Count == 2, "the two-slot injector ring to fill up");
                var disposer = new Thread(() =>
                {
                    pool.Dispose();
                    disposeReturned.Signal();
                })
                {
                    IsBackground = true,
                    Name = "disposer",
                };
                disposer.Start();
                Bounded.Until(() => pool.IsDisposed, "Dispose to start");
                // Dispose cannot return while the only worker is inside the blocking job.
                Assert.False(disposeReturned.IsOpen, "Dispose returned while a job was still running");
                releaseBlocker.Signal();
                disposeReturned.Wait();
                Assert.True(disposer.Join(Bounded.WaitLimit), "the disposer thread did not end");
            }
            else
            {
                blockerStarted.Wait();
                for (int i = 0; i < MaxCalls; i++)
                {
                    try
                    {
                        pool.Install((runs, t, i), static s => Interlocked.Increment(ref s.runs[s.t, s.i]));
                        succeeded[t]++;
                    }
                    catch (ObjectDisposedException)
                    {
                        disposedErrors[t]++;
                        break;
                    }
                }
            }
        });

        Assert.True(blockerCompleted);
        int total = 0;
        for (int t = 0; t < Callers; t++)
        {
            Assert.Equal(1, disposedErrors[t]);
            for (int i = 0; i < MaxCalls; i++)
            {
                // Calls that returned ran exactly once; the call that got ObjectDisposedException never ran.
                Assert.Equal(i < succeeded[t] ? 1 : 0, runs[t, i]);
            }

            total += succeeded[t];
        }

        // At least the two jobs that filled the ring were queued when Dispose began, and they ran.
        Assert.True(total >= 2, $"only {total} calls completed");
        log.AssertAllExited("blocked");
    });

    [Fact]
    public void Dispose_WhileJoinHeavyWorkRuns_CompletedCallsAreCorrectNothingHangs() => Bounded.Run(() =>
    {
        const int Callers = 4;
        var log = new WorkerLog(3);
        var pool = Pools.Create(3, o =>
        {
            o.ThreadNamePrefix = "busy";
            o.SpinCount = 16;
            log.Attach(o);
        });
        long expected = Fib.Sequential(16);
        var completed = new int[Callers];
        var enoughDone = new Gate("every caller to complete a few calls", Callers);
        Bounded.Threads(Callers + 1, t =>
        {
            if (t == Callers)
            {
                enoughDone.Wait();
                pool.Dispose();
                return;
            }

            while (true)
            {
                long result;
                try
                {
                    result = Fib.State(pool, 16);
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                Assert.Equal(expected, result);
                if (++completed[t] == 3)
                {
                    enoughDone.Signal();
                }
            }
        });
        Assert.All(completed, c => Assert.True(c >= 3));
        log.AssertAllExited("busy");
    });

    [Fact]
    public void AfterDispose_EveryEntryPointFromOutside_ThrowsObjectDisposedException() => Bounded.Run(() =>
    {
        var pool = Pools.Create(2);
        pool.Dispose();
        int ran = 0;
        AssertDisposed(pool, () => pool.Install(() => ran++));
        AssertDisposed(pool, () => pool.Install(() => ++ran));
        AssertDisposed(pool, () => pool.Install(1, _ => ran++));
        AssertDisposed(pool, () => pool.Install(1, _ => ++ran));
        var work = new AddWork(1, 2);
        AssertDisposed(pool, () => pool.Install(ref work));
        AssertDisposed(pool, () => pool.Install<TripleWork, long>(new TripleWork(1)));
        AssertDisposed(pool, () => pool.Join(() => ran++, () => ran++));
        AssertDisposed(pool, () => pool.Join(() => ++ran, () => ++ran));
        AssertDisposed(pool, () => pool.Join(1, _ => ran++, _ => ran++));
        AssertDisposed(pool, () => pool.Join(1, _ => ++ran, _ => ++ran));
        var other = new AddWork(3, 4);
        AssertDisposed(pool, () => pool.Join(ref work, ref other));
        AssertDisposed(pool, () => pool.Join<TripleWork, TripleWork, long, long>(new TripleWork(1), new TripleWork(2)));
        Assert.Equal(0, ran);
        Assert.Equal(0, work.Runs);
        Assert.Equal(0, other.Runs);

        // From a worker of another pool, too.
        using WorkStealingPool live = Pools.Create(1);
        Sides.OnWorker(live, () =>
        {
            AssertDisposed(pool, () => pool.Install(() => ran++));
            AssertDisposed(pool, () => pool.Join(() => ran++, () => ran++));
            AssertDisposed(pool, () => pool.Install<TripleWork, long>(new TripleWork(1)));
        });
        Assert.Equal(0, ran);

        static void AssertDisposed(WorkStealingPool pool, Action call)
        {
            ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(call);
            Assert.Equal(nameof(WorkStealingPool), e.ObjectName);
            Assert.True(pool.IsDisposed);
        }
    });

    [Fact]
    public void Dispose_FromInsideAWorkerOfTheSamePool_ThrowsInvalidOperation_PoolKeepsWorking() => Bounded.Run(() =>
    {
        var log = new WorkerLog(2);
        var pool = Pools.Create(2, o =>
        {
            o.ThreadNamePrefix = "self";
            log.Attach(o);
        });
        using (pool)
        {
            Assert.Throws<InvalidOperationException>(() => Sides.OnWorker(pool, pool.Dispose));
            // From a guest call of this pool too (this thread, outside every pool).
            Assert.Throws<InvalidOperationException>(() => pool.Install(() => pool.Dispose()));
            Assert.False(pool.IsDisposed);

            // From the stolen or inline half of a Join, and from a nested cross-pool hop back into the pool.
            AggregateException both = Assert.Throws<AggregateException>(() => pool.Join(() => pool.Dispose(), () => pool.Dispose()));
            Assert.All(both.InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));
            using WorkStealingPool other = Pools.Create(1);
            Assert.Throws<InvalidOperationException>(() => pool.Install(() => other.Install(() => pool.Install(() => pool.Dispose()))));
            Assert.False(pool.IsDisposed);

            Assert.Equal(Fib.Sequential(15), Fib.State(pool, 15));
        }

        log.AssertAllExited("self");
    });

    [Fact]
    public void Dispose_FromAWorkerOfAnotherPool_Disposes() => Bounded.Run(() =>
    {
        var log = new WorkerLog(2);
        var target = Pools.Create(2, o =>
        {
            o.ThreadNamePrefix = "target";
            log.Attach(o);
        });
        using WorkStealingPool other = Pools.Create(1);
        Assert.Equal(5, target.Install(static () => 5));
        other.Install(() => target.Dispose());
        Assert.True(target.IsDisposed);
        log.AssertAllExited("target");
        Assert.Throws<ObjectDisposedException>(() => target.Install(static () => 1));
        Assert.Equal(6, other.Install(static () => 6));
    });

    [Fact]
    public void Dispose_OfTheDefaultPool_ThrowsInvalidOperation_DefaultKeepsWorking() => Bounded.Run(() =>
    {
        WorkStealingPool d = WorkStealingPool.Default;
        Assert.Throws<InvalidOperationException>(d.Dispose);
        Assert.Throws<InvalidOperationException>(() => d.Install(() => d.Dispose()));
        Assert.False(d.IsDisposed);
        Assert.Equal(Fib.Sequential(15), Fib.State(d, 15));
        Assert.Equal(8, ForkJoin.Install(static () => 8));
    });
}
