namespace WorkPool.Tests;

/// <summary>
/// The sleep protocol under stress: with no spinning (SpinCount = 0) every idle worker and every
/// waiting caller parks, so a lost wake-up shows up as a hang (caught by the time bound).
/// </summary>
public class WakeupTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void SequentialInstalls_WorkersAsleepBetweenCalls_NoneLost(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads, o => o.SpinCount = 0);
        long sum = 0;
        for (int i = 0; i < 20_000; i++)
        {
            sum += pool.Install(i, static i => (long)i);
        }

        Assert.Equal(20_000L * 19_999 / 2, sum);
    });

    [Theory]
    [InlineData(16, 0)]
    [InlineData(8, 4)]
    [InlineData(3, 0)]
    public void ManyProducers_OversubscribedPool_EveryJobExactlyOnce(int threads, int spinCount) => Bounded.Run(() =>
    {
        const int Producers = 12;
        const int PerProducer = 400;
        using WorkStealingPool pool = Pools.Create(threads, o => o.SpinCount = spinCount);
        var runs = new int[Producers * PerProducer];
        long expectedFib = Fib.Sequential(10);
        Bounded.Threads(Producers, p =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                int id = (p * PerProducer) + i;
                if (i % 4 == 0)
                {
                    Assert.Equal(expectedFib, Fib.State(pool, 10));
                }

                pool.Install((runs, id), static s => Interlocked.Increment(ref s.runs[s.id]));
            }
        });
        for (int id = 0; id < runs.Length; id++)
        {
            Assert.True(runs[id] == 1, $"job {id} ran {runs[id]} times");
        }
    });

    [Theory]
    [InlineData(0)]
    [InlineData(512)]
    public void BurstsOfBlockingJobs_WakeAsManyWorkersAsNeeded(int spinCount) => Bounded.Run(() =>
    {
        // k jobs that can only finish together need k workers awake at once: one searching
        // worker woken per burst is not enough, every job in the ring must get a worker.
        const int Threads = 8;
        using WorkStealingPool pool = Pools.Create(Threads, o => o.SpinCount = spinCount);
        for (int round = 0; round < 40; round++)
        {
            int k = 2 + (round % (Threads - 1));
            int[] indices = Bursts.InstallTogether(pool, k, "a burst of jobs that must all run at once");
            Assert.Equal(k, indices.Distinct().Count());
        }
    });

    [Fact]
    public void StolenHalf_JoinerParks_ThiefWakesIt() => Bounded.Run(() =>
    {
        // The joiner runs out of work while the thief still runs B, parks on B's latch, and
        // must be unparked by the thief when B completes.
        using WorkStealingPool pool = Pools.Create(2, o => o.SpinCount = 0);
        for (int round = 0; round < 20; round++)
        {
            var stolen = new StolenJoin();
            var releaseB = new Gate("the test to release B");
            long bResult = 0;
            stolen.Run(
                pool,
                fromWorker: true,
                () =>
                {
                    (int a, long b) = pool.Join(
                        () =>
                        {
                            stolen.AWaitsForB();
                            return 1;
                        },
                        () =>
                        {
                            stolen.BStarts();
                            releaseB.Wait();
                            return 42L;
                        });
                    Assert.Equal(1, a);
                    bResult = b;
                },
                whileBRuns: () =>
                {
                    // Once A runs and B has started (B may start first: an awake worker steals it at once).
                    int joiner = stolen.IndexA;
                    Bounded.Until(() => Volatile.Read(ref pool.Workers[joiner].SleepState.Value) == Sleepers.Sleeping, "the joiner to park while B runs");
                    releaseB.Signal();
                });
            Assert.Equal(42L, bResult);
        }
    });
}
