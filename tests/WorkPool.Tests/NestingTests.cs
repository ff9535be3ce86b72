namespace WorkPool.Tests;

/// <summary>Installs nested in the same pool run inline; installs across pools (A → B, A → B → A) complete with the right result, also on one-thread pools where the waiting worker must keep running its own pool's jobs.</summary>
public class NestingTests
{
    [Fact]
    public void InstallInsideInstall_SamePool_IsAnInlineCall() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        pool.Install(() =>
        {
            int outer = WorkStealingPool.CurrentWorkerIndex;
            Thread outerThread = Thread.CurrentThread;
            int depthReached = Nest(pool, outer, outerThread, 64);
            Assert.Equal(64, depthReached);
            Assert.Equal(outer, WorkStealingPool.CurrentWorkerIndex);
        });

        static int Nest(WorkStealingPool pool, int outer, Thread outerThread, int levels)
        {
            if (levels == 0)
            {
                return 0;
            }

            return pool.Install(() =>
            {
                Assert.Same(pool, WorkStealingPool.Current);
                Assert.Equal(outer, WorkStealingPool.CurrentWorkerIndex);
                Assert.Same(outerThread, Thread.CurrentThread);
                return 1 + Nest(pool, outer, outerThread, levels - 1);
            });
        }
    });

    [Fact]
    public void JoinAndInstallInterleaved_SamePool_Correct() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(4);
        long expected = 2 * Fib.Sequential(16);
        long result = pool.Install(() =>
        {
            (long a, long b) = pool.Join(
                () => pool.Install(() => Fib.State(pool, 16)),
                () => pool.Install(() => pool.Install<FibResultWork, long>(new FibResultWork(pool, 16))));
            return a + b;
        });
        Assert.Equal(expected, result);
    });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(1, 3)]
    public void CrossPool_AToB_ReturnsAndRestoresCurrent(int threadsA, int threadsB) => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(threadsA);
        using WorkStealingPool b = Pools.Create(threadsB);
        (WorkStealingPool? inner, int innerIndex, WorkStealingPool? after, int outerIndex, int afterIndex, long fib) = a.Install(() =>
        {
            int outerIndex = WorkStealingPool.CurrentWorkerIndex;
            (WorkStealingPool? pool, int index, long fib) inner = b.Install(() => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex, Fib.State(b, 15)));
            return (inner.pool, inner.index, WorkStealingPool.Current, outerIndex, WorkStealingPool.CurrentWorkerIndex, inner.fib);
        });
        Assert.Same(b, inner);
        Assert.InRange(innerIndex, 0, threadsB - 1);
        Assert.Same(a, after);
        Assert.Equal(outerIndex, afterIndex);
        Assert.Equal(Fib.Sequential(15), fib);
    });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    public void CrossPool_AToBToA_ReturnsRightResult(int threadsA, int threadsB) => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(threadsA);
        using WorkStealingPool b = Pools.Create(threadsB);
        (WorkStealingPool? innermost, long value) = a.Install(() =>
            b.Install(() =>
                a.Install(() => (WorkStealingPool.Current, Fib.State(WorkStealingPool.Current!, 12)))));
        Assert.Same(a, innermost);
        Assert.Equal(Fib.Sequential(12), value);
    });

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(1, 1, 512)]
    [InlineData(2, 1, 0)]
    [InlineData(2, 2, 64)]
    public void CrossPool_AToBToA_ManyConcurrentExternalCallers(int threadsA, int threadsB, int spinCount) => Bounded.Run(() =>
    {
        const int Callers = 4;
        const int Iterations = 250;
        using WorkStealingPool a = Pools.Create(threadsA, o => o.SpinCount = spinCount);
        using WorkStealingPool b = Pools.Create(threadsB, o => o.SpinCount = spinCount);
        var innerRuns = new int[Callers * Iterations];
        var results = new long[Callers * Iterations];
        Bounded.Threads(Callers, t =>
        {
            for (int i = 0; i < Iterations; i++)
            {
                int id = (t * Iterations) + i;
                results[id] = a.Install((a, b, innerRuns, id), static s =>
                    s.b.Install(s, static s =>
                        s.a.Install(s, static s =>
                        {
                            Assert.Same(s.a, WorkStealingPool.Current);
                            Interlocked.Increment(ref s.innerRuns[s.id]);
                            return (long)s.id * 7;
                        })));
            }
        });

        for (int id = 0; id < results.Length; id++)
        {
            Assert.Equal(1, innerRuns[id]);
            Assert.Equal((long)id * 7, results[id]);
        }
    });

    [Fact]
    public void CrossPool_BothDirectionsAtOnce_OneThreadPools() => Bounded.Run(() =>
    {
        // Callers 0 and 1 go A → B → A, callers 2 and 3 go B → A → B: each one-thread pool's
        // worker waits on the other pool while the other pool's worker waits on it.
        const int Iterations = 300;
        using WorkStealingPool a = Pools.Create(1, o => o.SpinCount = 8);
        using WorkStealingPool b = Pools.Create(1, o => o.SpinCount = 8);
        var sums = new long[4];
        Bounded.Threads(4, t =>
        {
            WorkStealingPool first = t < 2 ? a : b;
            WorkStealingPool second = t < 2 ? b : a;
            for (int i = 0; i < Iterations; i++)
            {
                sums[t] += first.Install((first, second, i), static s =>
                    s.second.Install(s, static s =>
                        s.first.Install(s, static s =>
                        {
                            Assert.Same(s.first, WorkStealingPool.Current);
                            return s.i + 1L;
                        })));
            }
        });
        long expected = (long)Iterations * (Iterations + 1) / 2;
        Assert.All(sums, s => Assert.Equal(expected, s));
    });

    [Fact]
    public void CrossPool_JoinFromAWorkerOfAnotherPool_Correct() => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(1);
        using WorkStealingPool b = Pools.Create(2);
        long expected = Fib.Sequential(20);
        // A's worker joins on B (installed into B); B's halves install back into A.
        (long x, long y) = a.Install(() => b.Join(
            () => a.Install(() => Fib.State(a, 20)),
            () => Fib.State(b, 20)));
        Assert.Equal(expected, x);
        Assert.Equal(expected, y);

        var left = new FibWork(b, 18);
        var right = new FibWork(b, 19);
        a.Install(() => b.Join(ref left, ref right));
        Assert.Equal(Fib.Sequential(18), left.Result);
        Assert.Equal(Fib.Sequential(19), right.Result);
    });

    [Fact]
    public void CrossPool_ChainOfFourPools_OneThreadEach() => Bounded.Run(() =>
    {
        WorkStealingPool[] pools = [Pools.Create(1), Pools.Create(1), Pools.Create(1), Pools.Create(1)];
        try
        {
            // 0 → 1 → 2 → 3 → 0 → 1 ... 12 hops, each hop checks it is on the pool it installed into.
            Assert.Equal(12, Hop(pools, 0, 12));
            Bounded.Threads(3, t =>
            {
                for (int i = 0; i < 50; i++)
                {
                    Assert.Equal(9, Hop(pools, t, 9));
                }
            });
        }
        finally
        {
            foreach (WorkStealingPool pool in pools)
            {
                pool.Dispose();
            }
        }

        static int Hop(WorkStealingPool[] pools, int index, int hops)
        {
            if (hops == 0)
            {
                return 0;
            }

            WorkStealingPool target = pools[index % pools.Length];
            return target.Install(() =>
            {
                Assert.Same(target, WorkStealingPool.Current);
                return 1 + Hop(pools, index + 1, hops - 1);
            });
        }
    });
}
