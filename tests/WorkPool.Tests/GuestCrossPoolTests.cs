namespace WorkPool.Tests;

/// <summary>
/// A → B → A through guests: a thread outside both pools is a guest of A; its calls into B
/// (from a participant of another pool) run on B's workers; their calls back into A run on A's
/// workers (or on the guest of A, which runs A's injected jobs while it waits for B). Exact
/// results, under load, no hang.
/// </summary>
public class GuestCrossPoolTests
{
    [Fact]
    public void AToBToA_FromAGuestOfA_RunsWhereTheRulesSay() => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(2);
        using WorkStealingPool b = Pools.Create(2);
        var hops = a.Install(() =>
        {
            int guest = WorkStealingPool.CurrentWorkerIndex;
            (int inB, Thread threadInB, int backInA, Thread threadBackInA, long fib) = b.Install(() =>
            {
                (int index, Thread thread, long fib) back = a.Install(() => (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread, Fib.State(a, 16)));
                return (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread, back.index, back.thread, back.fib);
            });
            return (guest, inB, threadInB, backInA, threadBackInA, fib, WorkStealingPool.Current);
        });
        Assert.True(Guests.IsGuestIndex(a, hops.guest), $"the outside thread ran in A with index {hops.guest}");
        Assert.InRange(hops.inB, 0, b.ThreadCount - 1);
        Assert.NotSame(Thread.CurrentThread, hops.threadInB);
        Assert.NotSame(hops.threadInB, hops.threadBackInA);
        if (hops.threadBackInA == Thread.CurrentThread)
        {
            // The guest of A, waiting for B (not its own fork-join work, so its wait takes A's
            // injected jobs), ran the job B's worker sent back into A: with its guest index.
            Assert.Equal(hops.guest, hops.backInA);
        }
        else
        {
            Assert.InRange(hops.backInA, 0, a.ThreadCount - 1);
        }
        Assert.Equal(Fib.Sequential(16), hops.fib);
        Assert.Same(a, hops.Item7);
        Assert.Null(WorkStealingPool.Current);
    });

    [Theory]
    [InlineData(1, 1, 4)]
    [InlineData(2, 2, 6)]
    [InlineData(2, 1, 8)]
    public void AToBToA_ManyCallersUnderLoad_ExactResults_NoHang(int threadsA, int threadsB, int callers) => Bounded.Run(() =>
    {
        const int Rounds = 60;
        using WorkStealingPool a = Pools.Create(threadsA, o => o.GuestSlots = 2);
        using WorkStealingPool b = Pools.Create(threadsB, o => o.GuestSlots = 2);
        long expected = Fib.Sequential(12);
        var sums = new long[callers];
        var loadRuns = new int[callers * Rounds];
        Bounded.Threads(callers, t =>
        {
            WorkStealingPool first = t % 2 == 0 ? a : b;
            WorkStealingPool second = first == a ? b : a;
            for (int r = 0; r < Rounds; r++)
            {
                // first → second → first, with Joins, a loop and a scope on each hop; and load:
                // a fire-and-forget spawn into each pool per round.
                int id = (t * Rounds) + r;
                second.Spawn((loadRuns, id), static s => Interlocked.Increment(ref s.loadRuns[s.id]));
                sums[t] += first.Install((first, second), static p =>
                {
                    (long x, long y) = p.first.Join(
                        () => p.second.Install(() => p.first.Install(() => Fib.State(p.first, 12))),
                        () => p.second.Reduce(0, 100, 0L, static (acc, i) => acc + i, static (u, v) => u + v));
                    long scoped = 0;
                    p.second.Scope(scope =>
                    {
                        for (int k = 0; k < 8; k++)
                        {
                            scope.Spawn(_ => Interlocked.Add(ref scoped, p.first.Install(static () => 1L)));
                        }
                    });
                    return x + y + scoped;
                });
            }
        });
        Assert.All(sums, s => Assert.Equal(Rounds * (expected + 4950 + 8), s));
        Bounded.Until(() => loadRuns.All(r => Volatile.Read(ref r) == 1), "every load spawn to run");
        Assert.All(loadRuns, r => Assert.Equal(1, r));
    });
}
