namespace WorkPool.Tests;

/// <summary>
/// The lazy-promotion Join engine through <see cref="ForkContext"/>: recorded halves run inline,
/// promoted halves run on idle workers in place, halves stored off the stack, exceptions on
/// every path, and deep recursion.
/// </summary>
public class ForkContextTests
{
    [Fact]
    public void DefaultContext_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => default(ForkContext).Pool);
        Assert.Throws<InvalidOperationException>(() => default(ForkContext).WorkerIndex);
        Assert.Throws<InvalidOperationException>(() =>
        {
            var a = new CountWork();
            var b = new CountWork();
            default(ForkContext).Join(ref a, ref b);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Context_DescribesTheParticipantThatRunsTheBody(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            var probe = new ProbeWork();
            pool.Install(ref probe);
            Assert.Same(pool, probe.Pool);
            Assert.Equal(probe.CurrentIndex, probe.ContextIndex);
            if (fromWorker)
            {
                // A plain call on the worker.
                Assert.Equal(caller, probe.ContextIndex);
            }
            else
            {
                // A guest call: the calling thread holds a guest slot.
                Assert.InRange(probe.ContextIndex, pool.ThreadCount, pool.ParticipantCount - 1);
            }
        });
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(16)]
    public void Fib_ThroughContext_IsExact(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        for (int round = 0; round < 5; round++)
        {
            var fib = new ContextFib(24);
            pool.Install(ref fib);
            Assert.Equal(Fib.Sequential(24), fib.Result);
        }
    });

    [Fact]
    public void Fib_WithDequeOfOne_IsExact() => Bounded.Run(() =>
    {
        // Promotion fails whenever the deque already holds a job: those halves stay recorded.
        using WorkStealingPool pool = Pools.Create(4, o => o.DequeCapacity = 1);
        var fib = new ContextFib(22);
        pool.Install(ref fib);
        Assert.Equal(Fib.Sequential(22), fib.Result);
    });

    [Fact]
    public void LongHalves_RunInParallel_WhenAWorkerIsIdle() => Bounded.Run(() =>
    {
        // A cannot finish until B has started: this passes only if B is promoted and taken by
        // the other (sleeping or searching) worker while A runs.
        using WorkStealingPool pool = Pools.Create(2);
        for (int round = 0; round < 20; round++)
        {
            var join = new StolenJoin();
            var pair = new StolenJoin.Pair(join);
            pool.Install(ref pair);
            join.AssertBRanOnAnotherWorker();
            Assert.Equal(1, join.BRuns);
        }
    });

    [Fact]
    public void PromotedHalf_RunsInPlace_ItsFieldsAreSeenByTheCaller() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var pair = new StolenJoin.Pair(new StolenJoin());
        pool.Install(ref pair);
        Assert.Equal(42, pair.ResultB);
        Assert.Equal(7, pair.ResultA);
    });

    [Fact]
    public void HalfStoredOnTheHeap_IsJoinedFromACopy_AndCopiedBack() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var holder = new Holder { Join = new StolenJoin() };
        pool.Install(holder, static h => h.JoinFields());
        Assert.Equal(7, holder.A.Result);
        Assert.Equal(42, holder.B.Result);
        Assert.Equal(1, holder.Join.BRuns);
    });

    [Fact]
    public void StolenHalfThrows_ExceptionReachesTheCaller_AndPoolKeepsWorking() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var join = new StolenJoin { BThrows = true };
        var pair = new StolenJoin.Pair(join);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Install(ref pair));
        Assert.Equal("B failed", error.Message);
        join.AssertBRanOnAnotherWorker();
        AssertPoolWorks(pool);
    });

    [Fact]
    public void AThrowsWhileBIsStolen_AWaitsForB_ThenThrows() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var join = new StolenJoin { AThrows = true };
        var pair = new StolenJoin.Pair(join);
        var error = Assert.Throws<ArgumentException>(() => pool.Install(ref pair));
        Assert.Equal("A failed", error.Message);
        Assert.Equal(1, Volatile.Read(ref join.BFinished));
        AssertPoolWorks(pool);
    });

    [Fact]
    public void BothThrow_WithBStolen_AggregateOfAThenB() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var pair = new StolenJoin.Pair(new StolenJoin { AThrows = true, BThrows = true });
        var error = Assert.Throws<AggregateException>(() => pool.Install(ref pair));
        Assert.Collection(
            error.InnerExceptions,
            a => Assert.Equal("A failed", a.Message),
            b => Assert.Equal("B failed", b.Message));
        AssertPoolWorks(pool);
    });

    [Fact]
    public void AThrows_WithBRecorded_BStillRunsInline() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        int[] bRuns = new int[1];
        var a = new ThrowingWork();
        var b = new CountWork(bRuns);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Join(ref a, ref b));
        Assert.Equal("A failed", error.Message);
        Assert.Equal(1, bRuns[0]);
    });

    [Fact]
    public void DeepRecursion_BeyondTheJobStack_EveryHalfRunsOnce() => Bounded.Run(() =>
    {
        // 300 nested Joins whose innermost one waits for a stolen half: the wait promotes every
        // recorded ancestor it can (the job stack holds 64), the rest run inline.
        using WorkStealingPool pool = Pools.Create(2);
        var counts = new int[301];
        var chain = new Chain(0, 300, counts, new StolenJoin());
        pool.Install(ref chain);
        Assert.All(counts, c => Assert.Equal(1, c));
    });

    [Fact]
    public void RandomTrees_ManyPoolsOversubscribed_SumsMatch() => Bounded.Run(() =>
    {
        using WorkStealingPool small = Pools.Create(3);
        using WorkStealingPool big = Pools.Create(16);
        uint seed = 12345;
        TreeNode tree = TreeNode.Build(14, ref seed);
        long expected = TreeNode.SumSequential(tree);
        Bounded.Threads(4, t =>
        {
            WorkStealingPool pool = t % 2 == 0 ? small : big;
            for (int i = 0; i < 30; i++)
            {
                var sum = new ContextTreeSum(tree, spin: (t + i) % 3 == 0);
                pool.Install(ref sum);
                Assert.Equal(expected, sum.Result);
            }
        });
    });

    private static void AssertPoolWorks(WorkStealingPool pool)
    {
        var fib = new ContextFib(18);
        pool.Install(ref fib);
        Assert.Equal(Fib.Sequential(18), fib.Result);
    }

    /// <summary>Holds two halves in heap fields, so Join gets references that are not on a stack.</summary>
    private sealed class Holder
    {
        public StolenJoin.HalfA A;
        public StolenJoin.HalfB B;
        public StolenJoin Join = null!;

        public void JoinFields()
        {
            A = new StolenJoin.HalfA(Join);
            B = new StolenJoin.HalfB(Join);
            ForkJoin.Join(ref A, ref B);
        }
    }

    private struct ProbeWork : IWork
    {
        public WorkStealingPool? Pool;
        public int ContextIndex;
        public int CurrentIndex;

        public void Run(ForkContext context)
        {
            Pool = context.Pool;
            ContextIndex = context.WorkerIndex;
            CurrentIndex = WorkStealingPool.CurrentWorkerIndex;
        }
    }

    private struct CountWork(int[] count) : IWork
    {
        public void Run(ForkContext context) => Interlocked.Increment(ref count[0]);
    }

    private struct ThrowingWork : IWork
    {
        public readonly void Run(ForkContext context) => throw new InvalidOperationException("A failed");
    }

    private struct Chain(int depth, int max, int[] counts, StolenJoin join) : IWork
    {
        public void Run(ForkContext context)
        {
            if (depth == max)
            {
                // The innermost Join: A waits until B is taken by the other worker.
                var a = new StolenJoin.HalfA(join);
                var b = new StolenJoin.HalfB(join);
                context.Join(ref a, ref b);
                Interlocked.Increment(ref counts[depth]);
                return;
            }

            var next = new Chain(depth + 1, max, counts, join);
            var leaf = new Leaf(counts, depth);
            context.Join(ref next, ref leaf);
        }
    }

    private readonly struct Leaf(int[] counts, int index) : IWork
    {
        public void Run(ForkContext context) => Interlocked.Increment(ref counts[index]);
    }
}

/// <summary>Fibonacci as a struct body forking through its <see cref="ForkContext"/>.</summary>
internal struct ContextFib(int n) : IWork
{
    public long Result;

    public void Run(ForkContext context)
    {
        if (n < 2)
        {
            Result = n;
            return;
        }

        var a = new ContextFib(n - 1);
        var b = new ContextFib(n - 2);
        context.Join(ref a, ref b);
        Result = a.Result + b.Result;
    }
}

/// <summary>A tree sum forking through its <see cref="ForkContext"/>; optionally spins a little at each leaf so halves get promoted.</summary>
internal struct ContextTreeSum(TreeNode node, bool spin) : IWork
{
    public long Result;

    public void Run(ForkContext context)
    {
        if (node.Left is null && node.Right is null)
        {
            if (spin)
            {
                Thread.SpinWait(20);
            }

            Result = node.Value;
            return;
        }

        var left = new ContextTreeSum(node.Left!, spin);
        var right = new ContextTreeSum(node.Right!, spin);
        context.Join(ref left, ref right);
        Result = node.Value + left.Result + right.Result;
    }
}
