using System.Diagnostics;

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
            var gate = new Gate();
            var pair = new GatedPair(gate);
            pool.Install(ref pair);
            Assert.NotEqual(pair.IndexA, pair.IndexB);
            Assert.Equal(1, gate.BRuns);
        }
    });

    [Fact]
    public void PromotedHalf_RunsInPlace_ItsFieldsAreSeenByTheCaller() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var gate = new Gate();
        var pair = new GatedPair(gate);
        pool.Install(ref pair);
        Assert.Equal(42, pair.ResultB);
        Assert.Equal(7, pair.ResultA);
    });

    [Fact]
    public void HalfStoredOnTheHeap_IsJoinedFromACopy_AndCopiedBack() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var holder = new Holder { Gate = new Gate() };
        pool.Install(holder, static h => h.JoinFields());
        Assert.Equal(7, holder.A.ResultA);
        Assert.Equal(42, holder.B.Result);
        Assert.Equal(1, holder.Gate.BRuns);
    });

    [Fact]
    public void StolenHalfThrows_ExceptionReachesTheCaller_AndPoolKeepsWorking() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var gate = new Gate { BThrows = true };
        var pair = new GatedPair(gate);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Install(ref pair));
        Assert.Equal("B failed", error.Message);
        Assert.NotEqual(pair.IndexA, pair.IndexB);
        AssertPoolWorks(pool);
    });

    [Fact]
    public void AThrowsWhileBIsStolen_AWaitsForB_ThenThrows() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var gate = new Gate { AThrows = true };
        var pair = new GatedPair(gate);
        var error = Assert.Throws<ArgumentException>(() => pool.Install(ref pair));
        Assert.Equal("A failed", error.Message);
        Assert.Equal(1, Volatile.Read(ref gate.BFinished));
        AssertPoolWorks(pool);
    });

    [Fact]
    public void BothThrow_WithBStolen_AggregateOfAThenB() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var gate = new Gate { AThrows = true, BThrows = true };
        var pair = new GatedPair(gate);
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
        var chain = new Chain(0, 300, counts, new Gate());
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

    /// <summary>Shared state of <see cref="GatedPair"/>: A waits (bounded) until B has started.</summary>
    private sealed class Gate
    {
        public int BStarted;
        public int BFinished;
        public int BRuns;
        public bool AThrows;
        public bool BThrows;

        /// <summary>
        /// Waits until B has started, forking an empty Join in each round: a worker offers its
        /// recorded halves only when it enters a Join (and, while a worker searches, at most
        /// once per heartbeat), so a waiting loop that never forked would never offer B.
        /// </summary>
        public void WaitForB(ForkContext context)
        {
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref BStarted) == 0)
            {
                Assert.True(clock.Elapsed < Bounded.WaitLimit, "B never started while A ran: it was not promoted to an idle worker.");
                var x = new Noop();
                var y = new Noop();
                context.Join(ref x, ref y);
                Thread.SpinWait(10);
            }
        }
    }

    private struct GatedPair(Gate gate) : IWork
    {
        public int IndexA;
        public int IndexB;
        public int ResultA;
        public int ResultB;

        public void Run(ForkContext context)
        {
            var a = new GatedA(gate);
            var b = new GatedB(gate);
            try
            {
                context.Join(ref a, ref b);
            }
            finally
            {
                IndexA = a.Index;
                IndexB = b.Index;
                ResultA = a.ResultA;
                ResultB = b.Result;
            }
        }
    }

    private struct GatedA(Gate gate) : IWork
    {
        public int Index;
        public int ResultA;

        public void Run(ForkContext context)
        {
            Index = context.WorkerIndex;
            gate.WaitForB(context);
            ResultA = 7;
            if (gate.AThrows)
            {
                throw new ArgumentException("A failed");
            }
        }
    }

    private struct GatedB(Gate gate) : IWork
    {
        public int Index;
        public int Result;

        public void Run(ForkContext context)
        {
            Index = context.WorkerIndex;
            Interlocked.Increment(ref gate.BRuns);
            Volatile.Write(ref gate.BStarted, 1);
            Result = 42;
            Volatile.Write(ref gate.BFinished, 1);
            if (gate.BThrows)
            {
                throw new InvalidOperationException("B failed");
            }
        }
    }

    /// <summary>Holds two halves in heap fields, so Join gets references that are not on a stack.</summary>
    private sealed class Holder
    {
        public GatedA A;
        public GatedB B;
        public Gate Gate = null!;

        public void JoinFields()
        {
            A = new GatedA(Gate);
            B = new GatedB(Gate);
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

    private readonly struct Noop : IWork
    {
        public void Run(ForkContext context)
        {
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

    private struct Chain(int depth, int max, int[] counts, Gate gate) : IWork
    {
        public void Run(ForkContext context)
        {
            if (depth == max)
            {
                // The innermost Join: A waits until B is taken by the other worker.
                var a = new GatedA(gate);
                var b = new GatedB(gate);
                context.Join(ref a, ref b);
                Interlocked.Increment(ref counts[depth]);
                return;
            }

            var next = new Chain(depth + 1, max, counts, gate);
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
