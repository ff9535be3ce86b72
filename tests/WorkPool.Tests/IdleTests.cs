namespace WorkPool.Tests;

/// <summary>
/// Idle behaviour: an idle pool's workers stop searching after their spin budget and
/// go to sleep (observed through the pool's sleep state, not through time), and a sleeping pool
/// wakes for new work, from outside or from a fork on a worker, every time. The only time limit
/// is the generous hang bound of <see cref="Bounded"/>.
/// </summary>
public class IdleTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 512)]
    [InlineData(4, 20_000)]
    [InlineData(16, 64)]
    public void IdlePool_EveryWorkerReachesTheSleepingState_AfterItsSpinBudget(int threads, int spinCount) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads, o => o.SpinCount = spinCount);
        Assert.Equal(42, pool.Install(static () => 42));
        WaitUntilAllAsleep(pool, "after one Install");
        Assert.Equal(0, pool.Sleepers.SearchingCount);
        Assert.All(pool.Workers, w => Assert.True(w.Deque.LooksEmpty));
    });

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 512)]
    [InlineData(8, 32)]
    public void SleepingPool_WakesForEachInstallFromOutside_ThenSleepsAgain(int threads, int spinCount) => Bounded.Run(() =>
    {
        // No guest slots: each Install from outside goes to a worker (a guest runs it itself).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, o => o.SpinCount = spinCount);
        pool.Install(static () => { });
        for (int round = 0; round < 25; round++)
        {
            WaitUntilAllAsleep(pool, $"before round {round}");
            // Every worker is parked: only the Install's wake-up can get this job run.
            (int value, int worker) = pool.Install(round, static r => (r * 3, WorkStealingPool.CurrentWorkerIndex));
            Assert.Equal(round * 3, value);
            Assert.InRange(worker, 0, threads - 1);
        }

        WaitUntilAllAsleep(pool, "after the last round");
    });

    [Theory]
    [InlineData(2, 0)]
    [InlineData(4, 512)]
    [InlineData(8, 16)]
    public void SleepingPool_BurstThatNeedsEveryWorker_WakesThemAll(int threads, int spinCount) => Bounded.Run(() =>
    {
        // `threads` jobs that can only finish together: each parked worker must be woken. No
        // guest slots, so the callers' Installs go to the workers.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, o => o.SpinCount = spinCount);
        pool.Install(static () => { });
        for (int round = 0; round < 5; round++)
        {
            WaitUntilAllAsleep(pool, $"before burst {round}");
            int[] workers = Bursts.InstallTogether(pool, threads, "a burst that needs every worker of a sleeping pool");
            Assert.Equal(threads, workers.Distinct().Count());
        }
    });

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 512)]
    [InlineData(4, 64)]
    public void SleepingPool_JoinOnAWorker_OffersItsSecondHalfToASleeper(int threads, int spinCount) => Bounded.Run(() =>
    {
        // A of one Join waits until B has started, so B must run on another worker while A runs:
        // the Join must share B and wake a sleeping worker for it (the Join runs in a job on a
        // worker, which the spawn that carries it wakes; every other worker sleeps).
        using WorkStealingPool pool = Pools.Create(threads, o => o.SpinCount = spinCount);
        pool.Install(static () => { });
        for (int round = 0; round < 10; round++)
        {
            WaitUntilAllAsleep(pool, $"before Join {round}");
            var stolen = new StolenJoin();
            Sides.OnWorker(pool, () => ForkJoin.Join(stolen, static j => j.AWaitsForB(), static j => j.BStarts()));
            Assert.InRange(stolen.IndexA, 0, threads - 1);
            Assert.InRange(stolen.IndexB, 0, threads - 1);
            stolen.AssertBRanOnAnotherWorker();
        }
    });

    /// <summary>Waits (bounded) until every worker of <paramref name="pool"/> is parked in the Sleeping state.</summary>
    private static void WaitUntilAllAsleep(WorkStealingPool pool, string when) =>
        Bounded.Until(
            () => pool.Sleepers.SleepingCount == pool.ThreadCount
                && pool.Workers.All(w => Volatile.Read(ref w.SleepState.Value) == Sleepers.Sleeping),
            $"every worker of an idle {pool.ThreadCount}-thread pool to be asleep ({when})");
}
