namespace WorkPool.Tests;

public class ScopeTests
{
    private const int TreeBranching = 4;
    private const int TreeDepth = 8;

    /// <summary>Jobs in a complete 4-ary spawn tree of depth 8 below the body: 4 + 16 + … + 4^8.</summary>
    private const int TreeJobs = 87_380;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HundredThousandSpawns_NestedToDepth8_EachRunsExactlyOnce(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4);
        const int flat = 100_000 - TreeJobs;
        var tree = new SpawnTree(TreeJobs + flat);
        Sides.On(pool, fromWorker, () => pool.Scope(tree, static (t, scope) =>
        {
            for (int i = 0; i < TreeBranching; i++)
            {
                scope.Spawn(new TreeJob(t, 1));
            }

            for (int i = 0; i < flat; i++)
            {
                scope.Spawn(t, static (t, _) => t.Ran(t.NextId()));
            }
        }));

        tree.AssertEachRanOnce(100_000);
    });

    [Fact]
    public void SpawnsFromExternalThreads_IntoAScope_AllRunBeforeItEnds() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4);
        const int threads = 4;
        const int perThread = 2_000;
        var tree = new SpawnTree(threads * perThread);
        pool.Scope(scope =>
        {
            // The handle goes to threads outside the pool; their spawns go through the ring.
            Bounded.Threads(threads, _ =>
            {
                Assert.Null(WorkStealingPool.Current);
                for (int i = 0; i < perThread; i++)
                {
                    scope.Spawn(tree, static (t, _) => t.Ran(t.NextId()));
                }
            });
        });

        tree.AssertEachRanOnce(threads * perThread);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryForm_RunsItsJobs_AndTheStructBodyIsCopiedBack(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long[] total = new long[1];
        Sides.On(pool, fromWorker, () =>
        {
            pool.Scope(scope =>
            {
                scope.Spawn(_ => Interlocked.Add(ref total[0], 1));
                scope.Spawn(total, static (t, _) => Interlocked.Add(ref t[0], 10));
                scope.Spawn(new AddJob(total, 100));
            });
            pool.Scope(total, static (t, scope) => scope.Spawn(new AddJob(t, 1_000)));
            var body = new SpawningBody(total);
            pool.Scope(ref body);
            Assert.True(body.BodyRan);
        });

        Assert.Equal(1 + 10 + 100 + 1_000 + 10_000, Interlocked.Read(ref total[0]));
    });

    [Fact]
    public void StaticForm_UsesTheCurrentWorkersPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        WorkStealingPool? seen = null;
        pool.Install(() => ForkJoin.Scope(scope => scope.Spawn(_ => seen = WorkStealingPool.Current)));
        Assert.Same(pool, seen);
    });

    [Fact]
    public void OneJobThrows_SiblingsStillRun_AnAggregateOfOne() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int ran = 0;
        var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.Scope(scope =>
        {
            for (int i = 0; i < 100; i++)
            {
                int index = i;
                scope.Spawn(_ =>
                {
                    Interlocked.Increment(ref ran);
                    if (index == 37)
                    {
                        throw new InvalidOperationException("job 37");
                    }
                });
            }
        }));

        Assert.Equal("job 37", error.Message);
        Assert.Equal(100, ran);
        Assert.Equal(3, pool.Install(static () => 3));
    });

    [Fact]
    public void SeveralThrow_AggregateOfAll_AfterEveryJobRan() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        int ran = 0;
        var error = Assert.Throws<AggregateException>(() => pool.Scope(scope =>
        {
            for (int i = 0; i < 50; i++)
            {
                int index = i;
                scope.Spawn(_ =>
                {
                    Interlocked.Increment(ref ran);
                    if (index % 10 == 0)
                    {
                        throw new FormatException(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                });
            }

            throw new ArgumentException("body");
        }));

        Assert.Equal(50, ran);
        Assert.Equal(6, error.InnerExceptions.Count);
        Assert.Single(error.InnerExceptions.OfType<ArgumentException>());
        Assert.Equal(["0", "10", "20", "30", "40"], error.InnerExceptions.OfType<FormatException>().Select(e => e.Message).Order());
        pool.Scope(static scope => scope.Spawn(static _ => { }));
    });

    [Fact]
    public void CanceledBeforeTheScope_NothingRuns_NotEvenTheBody_OperationCanceled() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        int ran = 0;
        bool bodyRan = false;
        var error = Assert.Throws<OperationCanceledException>(() => pool.Scope(
            scope =>
            {
                bodyRan = true;
                for (int i = 0; i < 20; i++)
                {
                    scope.Spawn(_ => Interlocked.Increment(ref ran));
                }
            },
            cancel.Token));

        Assert.False(bodyRan);
        Assert.Equal(0, ran);
        Assert.Equal(cancel.Token, error.CancellationToken);
    });

    [Fact]
    public void CanceledByAJob_LaterJobsAreSkipped_StartedOnesFinish() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cancel = new CancellationTokenSource();
        int ran = 0;
        Assert.Throws<OperationCanceledException>(() => pool.Scope(
            scope =>
            {
                scope.Spawn(_ =>
                {
                    Interlocked.Increment(ref ran);
                    cancel.Cancel();
                });
                Bounded.Until(() => cancel.IsCancellationRequested, "the first job to cancel the scope");
                for (int i = 0; i < 20; i++)
                {
                    scope.Spawn(_ => Interlocked.Increment(ref ran));
                }
            },
            cancel.Token));

        Assert.Equal(1, ran);
        Assert.Equal(5, pool.Install(static () => 5));
    });

    [Fact]
    public void StaleHandle_IsRejected_AndNeverReachesTheScopeThatReusesItsState() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Scope stale = default;
        pool.Scope(scope =>
        {
            Assert.True(scope.IsActive);
            stale = scope;
        });

        Assert.False(stale.IsActive);
        Assert.Throws<InvalidOperationException>(() => stale.Spawn(static _ => { }));
        Assert.Throws<InvalidOperationException>(() => _ = stale.Pool);

        // One worker, same depth: the next scope reuses the same state. The stale handle must
        // still be rejected inside it, and the live scope must count only its own job.
        int ran = 0;
        pool.Scope(scope =>
        {
            Assert.True(scope.IsActive);
            Assert.False(stale.IsActive);
            Assert.Throws<InvalidOperationException>(() => stale.Spawn(_ => Interlocked.Increment(ref ran)));
            scope.Spawn(_ => Interlocked.Increment(ref ran));
            Assert.Same(pool, scope.Pool);
        });

        Assert.Equal(1, ran);
    });

    [Fact]
    public void DefaultHandle_Throws()
    {
        Scope handle = default;
        Assert.False(handle.IsActive);
        Assert.Throws<InvalidOperationException>(() => handle.Spawn(static _ => { }));
        Assert.Throws<InvalidOperationException>(() => handle.Spawn(new AddJob(new long[1], 1)));
        Assert.Throws<InvalidOperationException>(() => _ = handle.CancellationToken);
    }

    [Fact]
    public void BadArguments_AndDisposedPool_Throw() => Bounded.Run(() =>
    {
        WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.Scope(null!));
        Assert.Throws<ArgumentNullException>(() => pool.Scope(0, (Action<int, Scope>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.Spawn(null!));
        Assert.Throws<ArgumentNullException>(() => pool.Spawn(0, (Action<int>)null!));
        pool.Scope(static scope => Assert.Throws<ArgumentNullException>(() => scope.Spawn(null!)));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Scope(static _ => { }));
        Assert.Throws<ObjectDisposedException>(() => pool.Spawn(static () => { }));
        Assert.Throws<ObjectDisposedException>(() => pool.Spawn(new CountJob(new Gate("a job that never runs"))));
    });

    [Fact]
    public void ScopeSpawns_WithDequeOfOne_RunInlineWhenFull_EachOnce() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.DequeCapacity = 1);
        var tree = new SpawnTree(TreeJobs);
        pool.Scope(tree, static (t, scope) =>
        {
            for (int i = 0; i < TreeBranching; i++)
            {
                scope.Spawn(new TreeJob(t, 1));
            }
        });

        tree.AssertEachRanOnce(TreeJobs);
    });

    [Fact]
    public void NestedScopes_InsideJobs_EachWaitsForItsOwn() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        long[] total = new long[1];
        pool.Scope(total, static (t, outer) =>
        {
            for (int i = 0; i < 20; i++)
            {
                outer.Spawn(t, static (t, _) =>
                {
                    long local = 0;
                    ForkJoin.Scope(inner =>
                    {
                        for (int k = 0; k < 50; k++)
                        {
                            inner.Spawn(_ => Interlocked.Increment(ref local));
                        }
                    });

                    // The inner scope returned: all 50 of its jobs are done.
                    Assert.Equal(50, Interlocked.Read(ref local));
                    Interlocked.Add(ref t[0], local);
                });
            }
        });

        Assert.Equal(1_000, total[0]);
    });

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void FireAndForget_64Producers_RingOf4_EachRunsOnce_FifoPerProducer(int threads) => Bounded.Run(() =>
    {
        const int producers = 64;
        const int perProducer = 300;
        using WorkStealingPool pool = Pools.Create(threads, o => o.InjectorCapacity = 4);
        var log = new ProducerLog(producers, perProducer, checkOrder: threads == 1);
        Bounded.Threads(producers, p =>
        {
            for (int i = 0; i < perProducer; i++)
            {
                pool.Spawn(new LoggedJob(log, p, i));
            }
        });

        log.AllDone.Wait();
        log.AssertEachOnceInOrder();
    });

    [Fact]
    public void FireAndForget_FromWorkers_WithDequeOfOne_OverflowsToTheRing_EachRunsOnce() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.DequeCapacity = 1);
        var done = new Gate("fire-and-forget spawns from a worker", 1_000);
        // On a worker: its spawns go to its deque (a guest's go to the ring).
        Sides.OnWorker(pool, () =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                pool.Spawn(done, static d => d.Signal());
            }
        });

        done.Wait();
    });

    [Fact]
    public void FireAndForget_ExceptionGoesToTheHandler_PoolKeepsWorking() => Bounded.Run(() =>
    {
        var seen = new List<Exception>();
        var handled = new Gate("the handler to see three exceptions", 3);
        using WorkStealingPool pool = Pools.Create(2, o => o.UnhandledException = e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }

            handled.Signal();
        });
        for (int i = 0; i < 3; i++)
        {
            pool.Spawn(i, static i => throw new InvalidOperationException("spawned " + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        handled.Wait();
        Assert.Equal(["spawned 0", "spawned 1", "spawned 2"], seen.Select(e => e.Message).Order());
        Assert.Equal(7, pool.Install(static () => 7));
    });

    [Fact]
    public void Dispose_RunsEveryJobSpawnedBeforeIt() => Bounded.Run(() =>
    {
        WorkStealingPool pool = Pools.Create(2);
        int ran = 0;
        for (int i = 0; i < 5_000; i++)
        {
            pool.Spawn(() => Interlocked.Increment(ref ran));
        }

        pool.Dispose();
        Assert.Equal(5_000, ran);
    });

    /// <summary>Ids handed out at spawn time, and how often each id ran.</summary>
    private sealed class SpawnTree(int capacity)
    {
        private readonly int[] _runs = new int[capacity];
        private int _next = -1;

        public int NextId() => Interlocked.Increment(ref _next);

        public void Ran(int id) => Interlocked.Increment(ref _runs[id]);

        public void AssertEachRanOnce(int expected)
        {
            Assert.Equal(expected, _next + 1);
            for (int i = 0; i < expected; i++)
            {
                Assert.True(_runs[i] == 1, $"job {i} ran {_runs[i]} times");
            }
        }
    }

    /// <summary>A job of the spawn tree: records itself, then spawns its children below depth 8.</summary>
    private readonly struct TreeJob(SpawnTree tree, int depth) : IScopeWork
    {
        public void Run(Scope scope)
        {
            tree.Ran(tree.NextId());
            if (depth < TreeDepth)
            {
                for (int i = 0; i < TreeBranching; i++)
                {
                    scope.Spawn(new TreeJob(tree, depth + 1));
                }
            }
        }
    }

    private readonly struct AddJob(long[] total, long amount) : IScopeWork
    {
        public void Run(Scope scope) => Interlocked.Add(ref total[0], amount);
    }

    private struct SpawningBody(long[] total) : IScopeWork
    {
        public bool BodyRan;

        public void Run(Scope scope)
        {
            BodyRan = true;
            for (int i = 0; i < 10; i++)
            {
                scope.Spawn(new AddJob(total, 1_000));
            }
        }
    }

    private readonly struct CountJob(Gate done) : IWork
    {
        public void Run(ForkContext context) => done.Signal();
    }

    /// <summary>Per producer: how many of its jobs ran, and (with one worker) that they ran in its order.</summary>
    private sealed class ProducerLog(int producers, int perProducer, bool checkOrder)
    {
        private readonly int[,] _runs = new int[producers, perProducer];
        private readonly int[] _next = new int[producers];
        private int _outOfOrder;

        public Gate AllDone { get; } = new("every fire-and-forget job", producers * perProducer);

        public void Record(int producer, int sequence)
        {
            Interlocked.Increment(ref _runs[producer, sequence]);
            // With one worker, jobs run one at a time in the ring's order.
            if (checkOrder && Interlocked.Exchange(ref _next[producer], sequence + 1) != sequence)
            {
                Interlocked.Increment(ref _outOfOrder);
            }

            AllDone.Signal();
        }

        public void AssertEachOnceInOrder()
        {
            for (int p = 0; p < producers; p++)
            {
                for (int i = 0; i < perProducer; i++)
                {
                    Assert.True(_runs[p, i] == 1, $"producer {p}'s job {i} ran {_runs[p, i]} times");
                }
            }

            Assert.Equal(0, _outOfOrder);
        }
    }

    private readonly struct LoggedJob(ProducerLog log, int producer, int sequence) : IWork
    {
        public void Run(ForkContext context) => log.Record(producer, sequence);
    }
}
