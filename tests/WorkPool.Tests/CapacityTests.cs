namespace WorkPool.Tests;

/// <summary>Tiny injector rings and deques: a full ring makes producers wait (nothing dropped, nothing run twice); a full deque makes Join run inline (still correct).</summary>
public class CapacityTests
{
    [Theory]
    [InlineData(2, 1, 512)]
    [InlineData(2, 2, 0)]
    [InlineData(2, 3, 16)]
    public void TinyInjector_32ExternalThreads_EveryInstallRunsExactlyOnce(int injectorCapacity, int threads, int spinCount) => Bounded.Run(() =>
    {
        const int Producers = 32;
        const int PerProducer = 250;
        using WorkStealingPool pool = Pools.Create(threads, o =>
        {
            o.InjectorCapacity = injectorCapacity;
            o.SpinCount = spinCount;
        });
        Assert.Equal(injectorCapacity, pool.Injector.Capacity);
        var runs = new int[Producers * PerProducer];
        var wrong = new int[Producers];
        Bounded.Threads(Producers, p =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                int id = (p * PerProducer) + i;
                switch (i % 3)
                {
                    case 0:
                        pool.Install((runs, id), static s => Interlocked.Increment(ref s.runs[s.id]));
                        break;
                    case 1:
                        int echoed = pool.Install((runs, id), static s =>
                        {
                            Interlocked.Increment(ref s.runs[s.id]);
                            return s.id;
                        });
                        if (echoed != id)
                        {
                            wrong[p]++;
                        }

                        break;
                    default:
                        (int a, int b) = pool.Join(
                            (runs, id),
                            static s => Interlocked.Increment(ref s.runs[s.id]) * 0 + s.id,
                            static s => -s.id);
                        if (a != id || b != -id)
                        {
                            wrong[p]++;
                        }

                        break;
                }
            }
        });

        Assert.All(wrong, w => Assert.Equal(0, w));
        for (int id = 0; id < runs.Length; id++)
        {
            Assert.True(runs[id] == 1, $"job {id} ran {runs[id]} times");
        }

        Assert.Equal(0, pool.Injector.Count + pool.InstallRing.Count);
    });

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 4)]
    [InlineData(2, 8)]
    public void TinyDeque_DeepRecursiveJoin_RunsInlineAndStaysCorrect(int dequeCapacity, int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads, o =>
        {
            o.DequeCapacity = dequeCapacity;
            o.SpinCount = 32;
        });
        Assert.All(pool.Workers, w => Assert.Equal(dequeCapacity, w.Deque.Capacity));
        long expected = Fib.Sequential(22);
        Assert.Equal(expected, Fib.State(pool, 22));
        Assert.Equal(expected, pool.Install<FibResultWork, long>(new FibResultWork(pool, 22)));
        var work = new FibWork(pool, 22);
        pool.Install(ref work);
        Assert.Equal(expected, work.Result);
        Assert.Equal(Fib.Sequential(17), Fib.Funcs(pool, 17));

        uint seed = 99;
        TreeNode root = TreeNode.Build(14, ref seed);
        Assert.Equal(TreeNode.SumSequential(root), TreeNode.SumJoin(pool, root));

        // Several external callers at once, each recursing deeply.
        var results = new long[4];
        Bounded.Threads(4, t => results[t] = Fib.State(pool, 18));
        Assert.All(results, r => Assert.Equal(Fib.Sequential(18), r));
    });

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    public void LinearJoinChain_ThousandsDeep_Correct(int dequeCapacity) => Bounded.Run(() =>
    {
        // Join(a: recurse, b: leaf) nests 2,000 Joins on one worker's stack; with a one-slot
        // deque all but the first run inline.
        const int Depth = 2000;
        using WorkStealingPool pool = Pools.Create(2, o =>
        {
            o.DequeCapacity = dequeCapacity;
            o.StackSize = 64 << 20;
        });
        var leaves = new int[Depth + 1];
        long sum = pool.Install(() => Chain(pool, leaves, Depth));
        Assert.Equal((long)Depth * (Depth + 1) / 2, sum);
        Assert.All(leaves.Skip(1), l => Assert.Equal(1, l));

        static long Chain(WorkStealingPool pool, int[] leaves, int n)
        {
            if (n == 0)
            {
                return 0;
            }

            (long rest, long leaf) = pool.Join(
                (pool, leaves, n),
                static s => Chain(s.pool, s.leaves, s.n - 1),
                static s =>
                {
                    Interlocked.Increment(ref s.leaves[s.n]);
                    return s.n;
                });
            return rest + leaf;
        }
    });
}
