using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>Every Join form runs both halves exactly once and returns both results, from outside the pool and from inside a worker; recursive Joins compute what the sequential code computes.</summary>
public class JoinTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_Actions_RunBothHalvesOnce(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Seen a = Seen.None, b = Seen.None;
            pool.Join(() => a.Record(), () => b.Record());
            Assert.Equal(1, a.Runs);
            Assert.Equal(1, b.Runs);
            // A runs on the joining worker; B on any worker of the pool.
            Sides.AssertRanOn(pool, caller, a.Pool, a.Index);
            Sides.AssertRanOn(pool, -1, b.Pool, b.Index);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_Funcs_ReturnBothResults(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            int runsA = 0, runsB = 0;
            (int A, string B) result = pool.Join(
                () =>
                {
                    runsA++;
                    return WorkStealingPool.CurrentWorkerIndex;
                },
                () =>
                {
                    runsB++;
                    return "b";
                });
            Assert.Equal(1, runsA);
            Assert.Equal(1, runsB);
            Assert.Equal("b", result.B);
            Sides.AssertRanOn(pool, caller, pool, result.A);

            (long x, long y) = pool.Join(static () => 40L, static () => 2L);
            Assert.Equal(40L, x);
            Assert.Equal(2L, y);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_StateActions_PassTheStateToBothHalves(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var cells = new int[2];
            var seen = new StrongBox<(Seen A, Seen B)>((Seen.None, Seen.None));
            pool.Join(
                (cells, seen, 5),
                static s =>
                {
                    s.cells[0] += s.Item3;
                    s.seen.Value.A.Record();
                },
                static s =>
                {
                    s.cells[1] += s.Item3 * 2;
                    s.seen.Value.B.Record();
                });
            Assert.Equal([5, 10], cells);
            Assert.Equal(1, seen.Value.A.Runs);
            Assert.Equal(1, seen.Value.B.Runs);
            Sides.AssertRanOn(pool, WorkStealingPool.CurrentWorkerIndex, seen.Value.A.Pool, seen.Value.A.Index);
            Sides.AssertRanOn(pool, -1, seen.Value.B.Pool, seen.Value.B.Index);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_StateFuncs_ReturnBothResults(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            (long A, (WorkStealingPool? Pool, int Index) B) result = pool.Join(
                21L,
                static s => s * 2,
                static s => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex));
            Assert.Equal(42L, result.A);
            Sides.AssertRanOn(pool, -1, result.B.Pool, result.B.Index);

            (int A, string B) mixed = pool.Join(3, static s => WorkStealingPool.CurrentWorkerIndex, static s => new string('z', s));
            Assert.Equal("zzz", mixed.B);
            Sides.AssertRanOn(pool, caller, pool, mixed.A);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_RefStructs_CarryFieldsBack(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            var a = new AddWork(1, 2);
            var b = new AddWork(30, 9);
            pool.Join(ref a, ref b);
            Assert.Equal(3, a.Sum);
            Assert.Equal(39, b.Sum);
            Assert.Equal(1, a.Runs);
            Assert.Equal(1, b.Runs);
            Sides.AssertRanOn(pool, caller, a.Pool, a.WorkerIndex);
            Sides.AssertRanOn(pool, -1, b.Pool, b.WorkerIndex);

            // Two different body types.
            var fib = new FibWork(pool, 15);
            pool.Join(ref fib, ref a);
            Assert.Equal(Fib.Sequential(15), fib.Result);
            Assert.Equal(2, a.Runs);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_ResultStructs_ReturnBothResults(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            (long A, string B) result = pool.Join<TripleWork, WhereWork, long, string>(new TripleWork(14), new WhereWork("b"));
            Assert.Equal(42L, result.A);
            Assert.StartsWith("b@", result.B, StringComparison.Ordinal);
            int bIndex = int.Parse(result.B.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            Sides.AssertRanOn(pool, -1, pool, bIndex);

            (string A, long B) swapped = pool.Join<WhereWork, TripleWork, string, long>(new WhereWork("a"), new TripleWork(-1));
            Assert.Equal(-3L, swapped.B);
            int aIndex = int.Parse(swapped.A.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);
            Sides.AssertRanOn(pool, caller, pool, aIndex);
        });
    });

    [Fact]
    public void ForkJoinJoin_InsideAWorker_UsesTheCurrentPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(() =>
        {
            int caller = WorkStealingPool.CurrentWorkerIndex;
            Seen a = Seen.None, b = Seen.None;
            ForkJoin.Join(() => a.Record(), () => b.Record());
            Assert.Equal((1, 1), (a.Runs, b.Runs));
            Sides.AssertRanOn(pool, caller, a.Pool, a.Index);
            Sides.AssertRanOn(pool, -1, b.Pool, b.Index);

            AssertEveryForkJoinFormRunsOn(pool, caller);
            Assert.Equal(Fib.Sequential(18), Fib.Static(18));
        });
    });

    [Fact]
    public void ForkJoinJoin_Outside_UsesTheDefaultPool() => Bounded.Run(() =>
    {
        WorkStealingPool d = WorkStealingPool.Default;
        Seen a = Seen.None, b = Seen.None;
        ForkJoin.Join(() => a.Record(), () => b.Record());
        Assert.Equal((1, 1), (a.Runs, b.Runs));
        Sides.AssertRanOn(d, -1, a.Pool, a.Index);
        Sides.AssertRanOn(d, -1, b.Pool, b.Index);

        AssertEveryForkJoinFormRunsOn(d, callerIndex: null);

        // A recursive static Join started outside: the top level goes to Default, the rest nests there.
        Assert.Equal(Fib.Sequential(20), Fib.Static(20));
    });

    /// <summary>
    /// Every remaining static ForkJoin.Join form runs its halves on <paramref name="expected"/>
    /// with the right results; when called on a worker, the first half of a struct Join runs on
    /// the calling worker (<paramref name="callerIndex"/>).
    /// </summary>
    private static void AssertEveryForkJoinFormRunsOn(WorkStealingPool expected, int? callerIndex)
    {
        (WorkStealingPool? A, WorkStealingPool? B) pools = ForkJoin.Join(static () => WorkStealingPool.Current, static () => WorkStealingPool.Current);
        Assert.Same(expected, pools.A);
        Assert.Same(expected, pools.B);

        var cells = new int[2];
        ForkJoin.Join(cells, static c => c[0] += 7, static c => c[1] += 8);
        Assert.Equal([7, 8], cells);

        Assert.Equal((10, 11), ForkJoin.Join(10, static s => s, static s => s + 1));

        var x = new AddWork(2, 3);
        var y = new AddWork(4, 5);
        ForkJoin.Join(ref x, ref y);
        Assert.Equal((5, 9), (x.Sum, y.Sum));
        Assert.Same(expected, x.Pool);
        Assert.Same(expected, y.Pool);
        if (callerIndex is { } caller)
        {
            Assert.Equal(caller, x.WorkerIndex);
        }

        Assert.Equal((3L, 6L), ForkJoin.Join<TripleWork, TripleWork, long, long>(new TripleWork(1), new TripleWork(2)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void RecursiveJoin_Fib25_EqualsSequential(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        long expected = Fib.Sequential(25);
        Assert.Equal(75025L, expected);

        // Started outside (the top-level Join is installed) and from inside a worker.
        Assert.Equal(expected, Fib.State(pool, 25));
        Assert.Equal(expected, pool.Install(() => Fib.State(pool, 25)));

        var work = new FibWork(pool, 25);
        pool.Install(ref work);
        Assert.Equal(expected, work.Result);

        Assert.Equal(expected, pool.Install<FibResultWork, long>(new FibResultWork(pool, 25)));
        Assert.Equal(expected, pool.Install(static () => Fib.Static(25)));
        Assert.Equal(Fib.Sequential(20), Fib.Funcs(pool, 20));
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void RecursiveJoin_TreeSum_EqualsSequential(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        uint seed = 12345;
        TreeNode root = TreeNode.Build(16, ref seed);
        long expected = TreeNode.SumSequential(root);
        Assert.True(expected > 0);
        for (int round = 0; round < 5; round++)
        {
            Assert.Equal(expected, TreeNode.SumJoin(pool, root));
            Assert.Equal(expected, pool.Install(() => TreeNode.SumJoin(pool, root)));
        }
    });

    [Fact]
    public void RecursiveJoin_ManyConcurrentExternalCallers_AllCorrect() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.SpinCount = 0);
        long expected = Fib.Sequential(18);
        var results = new long[6 * 20];
        Bounded.Threads(6, t =>
        {
            for (int i = 0; i < 20; i++)
            {
                results[(t * 20) + i] = (i & 1) == 0 ? Fib.State(pool, 18) : pool.Install<FibResultWork, long>(new FibResultWork(pool, 18));
            }
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    });
}
