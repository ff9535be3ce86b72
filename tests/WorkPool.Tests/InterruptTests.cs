using System.Reflection;

namespace WorkPool.Tests;

/// <summary>
/// <see cref="Thread.Interrupt"/> cannot break the engine. Its waits and wake-ups neither end
/// early nor throw on an interrupt; every operation finishes its bookkeeping, and the interrupt
/// stays pending on its thread, raised by the next interruptible wait of the user's code (here:
/// <see cref="InterruptPending"/>). Each test names the failure it guards against.
/// </summary>
public class InterruptTests
{
    /// <summary>Consumes and reports the calling thread's pending interrupt (an interruptible wait that returns at once).</summary>
    internal static bool InterruptPending()
    {
        try
        {
            Thread.Sleep(0);
            return false;
        }
        catch (ThreadInterruptedException)
        {
            return true;
        }
    }

    /// <summary>Starts a background thread running <paramref name="body"/>, recording what it threw.</summary>
    private static Thread Start(string name, Action body, Action<Exception> thrown)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
#pragma warning disable CA1031 // Reported to the test through the callback.
            catch (Exception e)
#pragma warning restore CA1031
            {
                thrown(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return thread;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Park_WithAnInterruptPending_WaitsForItsPermit_AndTheInterruptStaysPending(bool addressWait) => Bounded.Run(() =>
    {
        var parker = new Parker(addressWait);
        Exception? error = null;
        bool pendingAfter = false;
        var owner = Start("parker-owner", () =>
        {
            Thread.CurrentThread.Interrupt();
            parker.Park();
            pendingAfter = InterruptPending();
        }, e => error = e);
        Bounded.Until(() => parker.IsParked, "the owner to park");
        parker.Unpark();
        Assert.True(owner.Join(Bounded.WaitLimit), "the owner did not wake");
        Assert.Null(error);
        Assert.True(pendingAfter, "the parker swallowed the interrupt");
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TimedPark_WithAnInterruptPending_TimesOut_AndTheInterruptStaysPending(bool addressWait) => Bounded.Run(() =>
    {
        var parker = new Parker(addressWait);
        Thread.CurrentThread.Interrupt();
        Assert.False(parker.Park(1));
        Assert.True(InterruptPending());
    });

    /// <summary>
    /// Issue 16, case 3: a thread with a pending interrupt wakes a parked owner while the
    /// parker's lock is taken. The monitor's Enter threw, no pulse was sent, and the owner slept
    /// on with the permit set, so every later Unpark returned early: it never woke again.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Unpark_ByAThreadWithAnInterruptPending_WhileTheParkerIsContended_WakesTheOwner(bool addressWait) => Bounded.Run(() =>
    {
        var parker = new Parker(addressWait);
        var owner = Start("parker-owner", parker.Park, _ => { });
        Bounded.Until(() => parker.IsParked, "the owner to park");

        // The monitor implementation's lock, taken by another thread so that Unpark must wait
        // for it (the address wait has none).
        object? monitor = typeof(Parker).GetField("_monitor", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(parker);
        Assert.Equal(addressWait && parker.UsesAddressWait, monitor is null);
        var held = new Gate("the lock to be taken");
        var release = new Gate("the test to release the lock");
        Thread? holder = monitor is null ? null : Start("lock-holder", () =>
        {
            lock (monitor)
            {
                held.Signal();
                release.Wait();
            }
        }, _ => { });
        if (holder is not null)
        {
            held.Wait();
        }

        Exception? unparkError = null;
        bool pendingAfter = false;
        var waker = Start("interrupted-waker", () =>
        {
            Thread.CurrentThread.Interrupt();
            parker.Unpark();
            pendingAfter = InterruptPending();
        }, e => unparkError = e);
        if (holder is not null)
        {
            // The waker blocks on the lock (a contended Enter is a wait), then the lock is released.
            Bounded.Until(() => !waker.IsAlive || (waker.ThreadState & ThreadState.WaitSleepJoin) != 0, "the waker to wait for the lock");
            release.Signal();
            Assert.True(holder.Join(Bounded.WaitLimit));
        }

        Assert.True(waker.Join(Bounded.WaitLimit), "Unpark hung");
        Assert.Null(unparkError);
        Assert.True(owner.Join(Bounded.WaitLimit), "the owner was never woken");
        Assert.True(pendingAfter, "Unpark swallowed the waker's interrupt");
    });

    /// <summary>
    /// Issue 16, case 1: an outside thread interrupted while it waits for room in a full ring.
    /// The interrupt escaped from the wait: Install threw it before publishing, leaving the
    /// thread's depth one too high, and the work never ran.
    /// </summary>
    [Fact]
    public void InstallFromOutside_InterruptedWhileTheRingIsFull_RunsTheWork_AndRestoresTheDepth() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => { o.InjectorCapacity = 2; o.SpinCount = 0; });
        using var blocker = RingBlocker.Fill(pool, installRing: true);
        int ran = 0;
        int depthAfter = -1;
        bool pendingAfter = false;
        Exception? error = null;
        var caller = Start("installer", () =>
        {
            pool.Install(() => Interlocked.Increment(ref ran));
            depthAfter = ThreadContext.CurrentOrNull!.Depth;
            pendingAfter = InterruptPending();
        }, e => error = e);
        Bounded.Until(() => pool.InstallRing.WaitingProducers == 1, "the caller to wait for room in the install ring");
        caller.Interrupt();
        blocker.Release();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted Install hung");
        Assert.Null(error);
        Assert.Equal(1, ran);
        Assert.Equal(0, depthAfter);
        Assert.True(pendingAfter, "the interrupt was lost");
        blocker.AssertFillersRan();
    });

    /// <summary>Issue 16, case 1: a fire-and-forget Spawn interrupted while the ring is full threw, and its job was never run (nor given back).</summary>
    [Fact]
    public void SpawnFromOutside_InterruptedWhileTheRingIsFull_TheJobRunsOnce() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => { o.InjectorCapacity = 2; o.SpinCount = 0; });
        using var blocker = RingBlocker.Fill(pool);
        var ranSignal = new Gate("the spawned job");
        int ran = 0;
        bool pendingAfter = false;
        Exception? error = null;
        var caller = Start("spawner", () =>
        {
            pool.Spawn(() =>
            {
                Interlocked.Increment(ref ran);
                ranSignal.Signal();
            });
            pendingAfter = InterruptPending();
        }, e => error = e);
        Bounded.Until(() => pool.Injector.WaitingProducers == 1, "the spawner to wait for room in the ring");
        caller.Interrupt();
        blocker.Release();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted Spawn hung");
        Assert.Null(error);
        ranSignal.Wait();
        pool.Dispose();
        Assert.Equal(1, ran);
        Assert.True(pendingAfter, "the interrupt was lost");
        blocker.AssertFillersRan();
    });

    /// <summary>
    /// Issue 16, case 1: an outside thread spawns into a running scope (through its handle) while
    /// the ring is full and is interrupted. The scope had counted the job, the interrupt escaped
    /// before it was published, and the scope (then Dispose) waited for it forever.
    /// </summary>
    [Fact]
    public void ScopeSpawnFromOutside_InterruptedWhileTheRingIsFull_TheJobRuns_AndTheScopeEnds() => Bounded.Run(() =>
    {
        // The scope's owner is a guest (the body runs on its own thread); the one worker is
        // blocked and the ring is full, so another thread's spawn into the scope must wait.
        using WorkStealingPool pool = Pools.Create(1, o => { o.InjectorCapacity = 2; o.SpinCount = 0; });
        var bodyStarted = new Gate("the scope's body to start");
        var bodyMayReturn = new Gate("the test to let the body return");
        Scope handle = default;
        int jobRuns = 0;
        using var blocker = RingBlocker.Fill(pool);

        Exception? scopeError = null;
        var owner = Start("scope-owner", () => pool.Scope(scope =>
        {
            handle = scope;
            bodyStarted.Signal();
            bodyMayReturn.Wait();
        }), e => scopeError = e);
        bodyStarted.Wait();

        Exception? spawnError = null;
        bool pendingAfter = false;
        var spawner = Start("scope-spawner", () =>
        {
            handle.Spawn(_ => Interlocked.Increment(ref jobRuns));
            pendingAfter = InterruptPending();
        }, e => spawnError = e);
        Bounded.Until(() => pool.Injector.WaitingProducers == 1, "the spawner to wait for room in the ring");
        spawner.Interrupt();
        bodyMayReturn.Signal();
        blocker.Release();

        Assert.True(spawner.Join(Bounded.WaitLimit), "the interrupted spawn hung");
        Assert.True(owner.Join(Bounded.WaitLimit), $"the scope never ended: a job it counted was never published (spawn error: {spawnError}; job runs {jobRuns}; ring {pool.Injector.Count})");
        Assert.Null(spawnError);
        Assert.Null(scopeError);
        Assert.Equal(1, jobRuns);
        Assert.True(pendingAfter, "the interrupt was lost");
        blocker.AssertFillersRan();
    });

    /// <summary>
    /// Issue 16, case 5: an outside caller interrupted while it waits for its installed work to
    /// finish on a worker. The wait threw only the interrupt and dropped the work's exception.
    /// </summary>
    [Fact]
    public void InstallFromOutside_InterruptedWhileWaiting_ThrowsTheWorksException_AndTheInterruptStaysPending() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => o.SpinCount = 0);
        var started = new Gate("the installed work to start");
        var release = new Gate("the test to release the work");
        ThreadContext? callerContext = null;
        Exception? error = null;
        bool ranToEnd = false;
        bool pendingAfter = false;
        var caller = Start("installer", () =>
        {
            callerContext = ThreadContext.Current;
            try
            {
                pool.Install(() =>
                {
                    started.Signal();
                    release.Wait();
                    Volatile.Write(ref ranToEnd, true);
                    throw new InvalidOperationException("from the installed work");
                });
            }
            finally
            {
                pendingAfter = InterruptPending();
            }
        }, e => error = e);
        started.Wait();
        Bounded.Until(() => Volatile.Read(ref callerContext)?.Parker.IsParked == true, "the caller to park");
        caller.Interrupt();
        release.Signal();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted caller hung");
        Assert.True(ranToEnd);
        InvalidOperationException thrown = Assert.IsType<InvalidOperationException>(error);
        Assert.Equal("from the installed work", thrown.Message);
        Assert.True(pendingAfter, "the interrupt was lost");
        Assert.Equal(7, pool.Install(static () => 7));
    });

    /// <summary>
    /// Issue 16, case 4: the owner of a Join is interrupted while it waits for the second half that
    /// an idle worker took. Both its exception and the Join's bookkeeping must survive: the Join
    /// throws B's exception, and the participant's Joins work afterwards.
    /// </summary>
    [Fact]
    public void Join_InterruptedWhileWaitingForATakenHalf_ThrowsTheHalfsException_AndThePoolStaysUsable() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.SpinCount = 0);
        var releaseB = new Gate("the test to release B");
        int bStarted = 0;
        ThreadContext? ownerContext = null;
        Exception? error = null;
        bool pendingAfter = false;
        long afterwards = 0;
        var caller = Start("joiner", () =>
        {
            try
            {
                pool.Join(
                    () =>
                    {
                        ownerContext = ThreadContext.CurrentOrNull;
                        // An idle worker claims B after it has been offered long enough.
                        Bounded.Until(() => Volatile.Read(ref bStarted) == 1, "an idle worker to take B");
                        Thread.CurrentThread.Interrupt();
                    },
                    () =>
                    {
                        Volatile.Write(ref bStarted, 1);
                        releaseB.Wait();
                        throw new InvalidOperationException("from B");
                    });
            }
            catch (InvalidOperationException e)
            {
                error = e;
            }

            pendingAfter = InterruptPending();
            afterwards = pool.Install(static () => Fib.Static(20));
        }, e => error = e);
        Bounded.Until(() => Volatile.Read(ref ownerContext)?.Parker.IsParked == true || !caller.IsAlive, "the Join's owner to wait for B");
        releaseB.Signal();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted Join hung");
        Assert.Equal("from B", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.True(pendingAfter, "the interrupt was lost");
        Assert.Equal(Fib.Sequential(20), afterwards);
    });

    /// <summary>
    /// Issue 16, case 3 (the same hazard in a job's catch): scope jobs that interrupt their own
    /// thread and throw. Recording an exception took a lock, which a contended thread with a
    /// pending interrupt could not take: the job's completion was skipped and the scope hung.
    /// </summary>
    [Fact]
    public void ScopeJobs_ThatInterruptThemselvesAndThrow_EveryExceptionIsCollected_AndTheScopeEnds() => Bounded.Run(() =>
    {
        const int Jobs = 64;
        using WorkStealingPool pool = Pools.Create(3);
        for (int round = 0; round < 20; round++)
        {
            AggregateException all = Assert.Throws<AggregateException>(() => pool.Scope(static scope =>
            {
                for (int i = 0; i < Jobs; i++)
                {
                    scope.Spawn(i, static (i, _) =>
                    {
                        Thread.CurrentThread.Interrupt();
                        throw new InvalidOperationException(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    });
                }
            }));
            Assert.Equal(Jobs, all.InnerExceptions.Count);
            Assert.Equal(Enumerable.Range(0, Jobs), all.InnerExceptions.Select(e => int.Parse(e.Message, System.Globalization.CultureInfo.InvariantCulture)).Order());
        }
    });

    /// <summary>
    /// Issue 16, case 3 (Broadcast): a broadcaster with a pending interrupt wakes sleeping workers
    /// after it delivered their parts; a wake-up that threw left parts pointing into its dead frame.
    /// </summary>
    [Fact]
    public void Broadcast_FromAThreadWithAnInterruptPending_RunsEveryPart_AndTheInterruptStaysPending() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.SpinCount = 0);
        var runs = new int[pool.ThreadCount];
        for (int round = 0; round < 50; round++)
        {
            Thread.CurrentThread.Interrupt();
            pool.Broadcast(runs, static (runs, index) => Interlocked.Increment(ref runs[index]));
            Assert.True(InterruptPending());
        }

        Assert.All(runs, count => Assert.Equal(50, count));
    });

    /// <summary>Dispose from a thread with a pending interrupt: it used to throw from its join of the workers, half done.</summary>
    [Fact]
    public void Dispose_FromAThreadWithAnInterruptPending_JoinsEveryWorker_AndTheInterruptStaysPending() => Bounded.Run(() =>
    {
        var exited = new int[3];
        WorkStealingPool pool = Pools.Create(3, o => o.OnWorkerExit = i => Interlocked.Increment(ref exited[i]));
        pool.Install(static () => { });
        Thread.CurrentThread.Interrupt();
        pool.Dispose();
        Assert.All(exited, count => Assert.Equal(1, count));
        Assert.True(InterruptPending());
    });

    /// <summary>
    /// Issue 16, case 2: a job interrupts its own worker thread. The worker's next sleep threw,
    /// nothing caught it, and the process died (exit code 134). Run in a child process, so a
    /// regression cannot take the test host down.
    /// </summary>
    [Fact]
    public void IdleWorker_WithAnInterruptPending_Survives_AndTheInterruptReachesALaterJob()
    {
        RobustnessProbes.RunAndAssert(RobustnessProbes.IdleInterrupt, expectedExitCode: 0, RobustnessProbes.IdleInterruptResult);
    }

    /// <summary>
    /// A full ring (capacity 2) and every worker blocked: <see cref="Fill"/> blocks each worker
    /// with a job of its own, then fills the spawn ring (the <see cref="WorkStealingPool.Injector"/>)
    /// with two spawns, or the install ring with two Installs from threads of their own, that nobody
    /// can take until <see cref="Release"/>.
    /// </summary>
    private sealed class RingBlocker : IDisposable
    {
        private readonly Gate _release = new("the test to release the blocked workers");
        private readonly List<Thread> _installers = [];
        private Exception? _blockedJobError;
        private int _fillersRan;

        private RingBlocker()
        {
        }

        /// <summary>Blocks <paramref name="workers"/> free workers (one job each, taken one at a time), then fills a ring.</summary>
        public static RingBlocker Fill(WorkStealingPool pool, int workers = 1, bool installRing = false)
        {
            var blocker = new RingBlocker();
            for (int i = 0; i < workers; i++)
            {
                var blocked = new Gate("a worker to take a blocking job");
                pool.Spawn(() =>
                {
                    blocked.Signal();
                    try
                    {
                        blocker._release.Wait();
                    }
                    catch (Exception e)
                    {
                        // A fire-and-forget job must not throw (it would end the process): the
                        // test reports it instead.
                        blocker._blockedJobError = e;
                    }
                });
                blocked.Wait();
            }

            InjectorRing ring = installRing ? pool.InstallRing : pool.Injector;
            for (int i = 0; i < ring.Capacity; i++)
            {
                if (installRing)
                {
                    var installer = new Thread(() => pool.Install(() => Interlocked.Increment(ref blocker._fillersRan))) { IsBackground = true };
                    installer.Start();
                    blocker._installers.Add(installer);
                    Bounded.Until(() => ring.Count == blocker._installers.Count, "an Install to wait in the install ring");
                }
                else
                {
                    pool.Spawn(() => Interlocked.Increment(ref blocker._fillersRan));
                }
            }

            Assert.Equal(ring.Capacity, ring.Count);
            return blocker;
        }

        public void Release()
        {
            if (!_release.IsOpen)
            {
                _release.Signal();
            }
        }

        public void AssertFillersRan()
        {
            Bounded.Until(() => Volatile.Read(ref _fillersRan) == 2, "the jobs that filled the ring to run");
            foreach (Thread installer in _installers)
            {
                Assert.True(installer.Join(Bounded.WaitLimit), "an Install that filled the ring hung");
            }

            Assert.Null(_blockedJobError);
        }

        public void Dispose() => Release();
    }
}
