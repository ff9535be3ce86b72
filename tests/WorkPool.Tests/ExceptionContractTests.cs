namespace WorkPool.Tests;

/// <summary>
/// The exception contract of docs/exceptions.md, operation by operation, each in both timings:
/// the failing part inline on the calling thread, and on another thread (a worker that took it).
/// The rule of an operation never depends on which of the two happened.
/// </summary>
public class ExceptionContractTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Install_TheWorksExceptionAsItself(bool onTheCaller) => Bounded.Run(() =>
    {
        // With guest slots the calling thread runs the work; without, a worker does.
        using WorkStealingPool pool = onTheCaller ? Pools.Create(1) : Pools.CreateWithoutGuests(1);
        int caller = Environment.CurrentManagedThreadId;
        int ranOn = 0;
        var error = Assert.Throws<InvalidOperationException>(() => pool.Install(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            throw new InvalidOperationException("install");
        }));
        Assert.Equal("install", error.Message);
        Assert.Equal(onTheCaller, ranOn == caller);
    });

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Join_OneHalfFails_ItsExceptionAsItself_BothFail_OneFlatAggregate(bool bTaken, bool bothFail) => Bounded.Run(() =>
    {
        // B inline: one worker, called from that worker (nobody else can take B). B taken: A
        // waits until another worker has started B.
        using WorkStealingPool pool = Pools.Create(bTaken ? 2 : 1);
        Sides.OnWorker(pool, () =>
        {
            int bThread = 0;
            int aThread = Environment.CurrentManagedThreadId;
            Exception thrown = Record.Exception(() => pool.Join(
                () =>
                {
                    if (bTaken)
                    {
                        Bounded.Until(() => Volatile.Read(ref bThread) != 0, "another worker to take B");
                    }

                    if (bothFail)
                    {
                        throw new InvalidOperationException("A");
                    }
                },
                () =>
                {
                    Volatile.Write(ref bThread, Environment.CurrentManagedThreadId);
                    throw new FormatException("B");
                }));
            Assert.Equal(bTaken, bThread != aThread);
            if (bothFail)
            {
                AggregateException all = Assert.IsType<AggregateException>(thrown);
                Assert.Collection(
                    all.InnerExceptions,
                    a => Assert.Equal("A", Assert.IsType<InvalidOperationException>(a).Message),
                    b => Assert.Equal("B", Assert.IsType<FormatException>(b).Message));
            }
            else
            {
                Assert.Equal("B", Assert.IsType<FormatException>(thrown).Message);
            }
        });
    });

    [Fact]
    public void Join_NestedFailuresAtEveryLevel_OneFlatAggregate_NotAChain() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        AggregateException all = Assert.Throws<AggregateException>(() => pool.Install(static () => FailBoth(6)));
        Assert.Equal(64, all.InnerExceptions.Count);
        Assert.All(all.InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));

        static void FailBoth(int depth)
        {
            if (depth == 0)
            {
                throw new InvalidOperationException("leaf");
            }

            ForkJoin.Join(depth - 1, static d => FailBoth(d), static d => FailBoth(d));
        }
    });

    /// <summary>Issue 16's example: the same loop with two throwing iterations threw InvalidOperationException with 8 threads and an AggregateException of 2 with 2 threads.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void For_TwoThrowingIterations_AnAggregateWhateverTheThreads(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        for (int round = 0; round < 20; round++)
        {
            AggregateException all = Assert.Throws<AggregateException>(() => pool.For(0, 10_000, static i =>
            {
                if (i == 10 || i == 9_990)
                {
                    throw new InvalidOperationException(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }));
            Assert.InRange(all.InnerExceptions.Count, 1, 2);
            Assert.All(all.InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));
        }
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void For_OneThrowingIteration_AnAggregateOfOne_OnTheCallerOrOnAWorker(bool onTheCaller) => Bounded.Run(() =>
    {
        // A loop too short to share runs on the caller; a long one whose failing iteration waits
        // until a worker has run an iteration fails on whichever thread that is.
        using WorkStealingPool pool = Pools.Create(2);
        int caller = Environment.CurrentManagedThreadId;
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        int length = onTheCaller ? 2 : 100_000;
        var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.For(0, length, i =>
        {
            threads[Environment.CurrentManagedThreadId] = true;
            if (!onTheCaller && i == length / 2 && Environment.CurrentManagedThreadId == caller)
            {
                // The caller holds on until a worker has joined in (and failed).
                Bounded.Until(() => threads.Count > 1, "a worker to run an iteration");
            }

            if (!onTheCaller && Environment.CurrentManagedThreadId != caller)
            {
                throw new InvalidOperationException("on a worker");
            }

            if (onTheCaller && i == 1)
            {
                throw new InvalidOperationException("on the caller");
            }
        }));
        Assert.Equal(onTheCaller ? "on the caller" : "on a worker", error.Message);
        Assert.Equal(onTheCaller, threads.Keys.All(t => t == caller));
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reduce_ThrowingIteration_AnAggregate_BothShapes(bool deterministic) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Contract.ThrowsOne<FormatException>(() => pool.Reduce(0, 100_000, 0L, static (acc, i) => i == 77 ? throw new FormatException() : acc + i, static (a, b) => a + b, deterministic));
    });

    [Fact]
    public void Loop_AnIterationThrowsTheLoopsOwnCancellation_IsCancellation() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        var thrown = Assert.Throws<OperationCanceledException>(() => pool.For(0, 100_000, cts, static (cts, i) =>
        {
            if (i == 500)
            {
                cts.Cancel();
                cts.Token.ThrowIfCancellationRequested();
            }
        }, cts.Token));
        Assert.Equal(cts.Token, thrown.CancellationToken);
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scope_OneJobFails_AnAggregateOfOne_RunByTheOwnerOrByAWorker(bool byTheOwner) => Bounded.Run(() =>
    {
        // By the owner: the one worker is blocked, so only the scope's owner (a guest) can run
        // the job, in its wait. By a worker: the body waits until a worker has started the job.
        using WorkStealingPool pool = Pools.Create(1);
        var release = new Gate("the test to release the worker");
        var blocked = new Gate("the worker to block");
        if (byTheOwner)
        {
            pool.Spawn(() =>
            {
                blocked.Signal();
                release.Wait();
            });
            blocked.Wait();
        }

        int owner = Environment.CurrentManagedThreadId;
        int ranOn = 0;
        var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.Scope(scope =>
        {
            scope.Spawn(_ =>
            {
                Volatile.Write(ref ranOn, Environment.CurrentManagedThreadId);
                throw new InvalidOperationException("job");
            });
            if (!byTheOwner)
            {
                Bounded.Until(() => Volatile.Read(ref ranOn) != 0, "a worker to take the job");
            }
        }));
        release.Signal();
        Assert.Equal("job", error.Message);
        Assert.Equal(byTheOwner, ranOn == owner);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Broadcast_OnePartFails_AnAggregateOfOne_FromOutsideOrFromAWorker(bool fromWorker) => Bounded.Run(() =>
    {
        // From a worker, its own part runs inline; from outside, every part runs on its worker.
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int failing = fromWorker ? WorkStealingPool.CurrentWorkerIndex : 1;
            var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.Broadcast(failing, static (failing, index) =>
            {
                if (index == failing)
                {
                    throw new InvalidOperationException(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }));
            Assert.Equal(failing.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        });
    });

    [Fact]
    public void UserAggregateException_IsKeptAsItIs_InsideTheLoopsAggregate() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var mine = new AggregateException(new FormatException("inner"));
        AggregateException all = Assert.Throws<AggregateException>(() => pool.For(0, 2, mine, static (mine, i) =>
        {
            if (i == 1)
            {
                throw mine;
            }
        }));
        Assert.Same(mine, Assert.Single(all.InnerExceptions));
    });
}
