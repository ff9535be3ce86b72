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
        // No guest slots: every Install wakes a worker (a guest would run it itself).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, o => o.SpinCount = 0);
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
        // worker woken per burst is not enough, every job in the ring must get a worker. No
        // guest slots, so the callers' Installs go through the ring.
        const int Threads = 8;
        using WorkStealingPool pool = Pools.CreateWithoutGuests(Threads, o => o.SpinCount = spinCount);
        for (int round = 0; round < 40; round++)
        {
            int k = 2 + (round % (Threads - 1));
            int[] indices = Bursts.InstallTogether(pool, k, "a burst of jobs that must all run at once");
            Assert.Equal(k, indices.Distinct().Count());
        }
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StolenHalf_JoinerParks_ThiefWakesIt(bool fromWorker) => Bounded.Run(() =>
    {
        // The joiner runs out of work while the thief still runs B, parks on B's latch, and
        // must be unparked by the thief when B completes. A waits for B, so the other worker
        // (asleep: SpinCount 0) takes B late: the Join's offer wakes it and it claims B once the
        // offer has been open for the share delay. The joiner is a worker or a guest.
        using WorkStealingPool pool = Pools.Create(2, o => o.SpinCount = 0);
        for (int round = 0; round < 20; round++)
        {
            // No nudge: with guest slots an Install from outside would run on its own thread and
            // wake nobody, so the Join's offer is what must get B taken.
            var stolen = new StolenJoin();
            var releaseB = new Gate("the test to release B");
            int aReturned = 0;
            Thread? joinerThread = null;
            long bResult = 0;
            Bounded.Threads(2, t =>
            {
                if (t == 0)
                {
                    Sides.On(pool, fromWorker, () =>
                    {
                        (int a, long b) = pool.Join(
                            () =>
                            {
                                joinerThread = Thread.CurrentThread;
                                stolen.AWaitsForB();
                                Volatile.Write(ref aReturned, 1);
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
                    });
                }
                else
                {
                    stolen.BStarted.Wait();
                    Bounded.Until(() => Volatile.Read(ref aReturned) == 1, "A to return");
                    int j = stolen.IndexA;
                    if (fromWorker)
                    {
                        Bounded.Until(() => Volatile.Read(ref pool.Workers[j].SleepState.Value) == Sleepers.Sleeping, "the joining worker to sleep while B runs");
                    }
                    else
                    {
                        // After A, the guest's thread blocks only where it parks for B.
                        Bounded.Until(() => (joinerThread!.ThreadState & ThreadState.WaitSleepJoin) != 0, "the guest to park while B runs");
                    }

                    releaseB.Signal();
                }
            });
            Assert.Equal(42L, bResult);
            Assert.InRange(stolen.IndexB, 0, pool.ThreadCount - 1);
            stolen.AssertBRanOnAnotherWorker();
            if (!fromWorker)
            {
                Assert.InRange(stolen.IndexA, pool.ThreadCount, pool.ParticipantCount - 1);
            }
        }
    });
}
