using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The watch (docs/design/offers.md, R33–R34): while every idle worker sleeps, an open offer must
/// still be looked at, by a watcher sleeping with a timeout or by a worker the owner wakes. A
/// lost offer shows in the scenarios where A waits for B: nobody claims B and A spins forever
/// (a livelock). In this build a timed park times out at once, so a watcher looks again at its
/// next step; the runs end only when every worker sleeps untimed and the watch is given up.
/// </summary>
public sealed class WatchScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryWorkerAsleep_TheOwnerRequestsTheWatch()
    {
        Explorer.Check(output, "watch: every worker asleep (at rest) when a guest offers B, and A waits for B", new ExploreOptions { Runs = 120, Budget = TimeSpan.FromSeconds(3) },
            execution => AWaitsForBOnceAsleep(execution, workers: 2));
    }

    [Fact]
    public void EveryWorkerAsleep_TheOwnerRequestsTheWatch_Exhaustive()
    {
        Explorer.Check(output, "watch: the only worker asleep when a guest offers B, and A waits for B (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => AWaitsForBOnceAsleep(execution, workers: 1));
    }

    [Fact]
    public void WorkersFallingAsleep_AWaitsForB()
    {
        // No waiting for rest: the Join begins while the workers search, give up, announce and
        // take their last look, so every point of the owner's publication falls somewhere in
        // their way to sleep (R33).
        Explorer.Check(output, "watch: 2 workers falling asleep while a guest offers B, and A waits for B", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 2, guestSlots: 1,
                    pool => execution.Spawn("guest", () => pool.Join(halves, static h => h.RunAWaitingForB(), static h => h.RunB())),
                    () => halves.AssertRanOnce("A waiting for B"));
            });
    }

    [Fact]
    public void WorkerFallingAsleep_AWaitsForB_Exhaustive()
    {
        Explorer.Check(output, "watch: the only worker falling asleep while a guest offers B, and A waits for B (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("guest", () => pool.Join(halves, static h => h.RunAWaitingForB(), static h => h.RunB())),
                    () => halves.AssertRanOnce("A waiting for B"));
            });
    }

    [Fact]
    public void WatcherGivingUpRacesANewOffer()
    {
        // The first offer is published while the worker goes to sleep, so it sleeps as the
        // watcher; the owner retracts it and at once offers again (A2 waits for B2). The watcher, seeing no
        // offer, gives the watch up and looks again; the owner, seeing the watch held, does not
        // request it. One of the two must see the other: otherwise B2 is never claimed.
        var watched = new Outcomes();
        Explorer.Check(output, "watch: a watcher giving the watch up while the owner offers again (A2 waits for B2)", new ExploreOptions { Runs = 200, Budget = TimeSpan.FromSeconds(4) },
            execution =>
            {
                var first = new Halves();
                var second = new Halves();
                var watch = new WatchProbe();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("guest", () => pool.Install((pool, first, second, watch), static s =>
                    {
                        // Offer first while the worker is on its way to sleep (announced, before its
                        // last look), where it takes the watch rather than claiming at once.
                        while (s.pool.Sleepers.SleepingCount == 0)
                        {
                            SchedulePoint.Spin();
                        }

                        s.pool.Join(s, static s =>
                        {
                            for (int i = 0; i < 4; i++)
                            {
                                s.watch.Sample(s.pool);
                                SchedulePoint.Hit();
                            }

                            s.first.RunA(steps: 0);
                        }, static s => s.first.RunB());
                        s.pool.Join(s.second, static h => h.RunAWaitingForB(), static h => h.RunB());
                    })),
                    () =>
                    {
                        first.AssertRanOnce("first Join");
                        second.AssertRanOnce("second Join (A waits for B)");
                        watched.Add(watch.SawWatching);
                    });
            });
        output.WriteLine($"A worker held the watch during the first Join in {watched.True} runs of {watched.True + watched.False}.");
        Assert.True(watched.True > 0, "No schedule had the worker take the watch: the scenario does not cover giving it up.");
    }

    [Fact]
    public void WatchersTimedParkRacesAWakeUp()
    {
        // R34: the worker watches a guest's open offer (its timed park returns at once here, as
        // a timeout can come at any moment) while an outside thread's fire-and-forget job wakes
        // it through the ring: whether the permit comes before the park, during its check or
        // after its timeout, the job runs, the half runs once, and the counts end at rest.
        Explorer.Check(output, "watch: the watcher's timed park racing a wake-up for a ring job", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                int[] spawned = new int[1];
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool =>
                    {
                        execution.Spawn("guest", () => pool.Join(halves, static h => h.RunA(steps: 3), static h => h.RunB()));
                        execution.Spawn("spawner", () => pool.Spawn(spawned, static s => s[0]++));
                    },
                    () =>
                    {
                        halves.AssertRanOnce("guest's Join");
                        Assert.True(spawned[0] == 1, $"The spawned job ran {spawned[0]} times.");
                    });
            });
    }

    [Fact]
    public void WokenWorkerTakesARingJob_TheOfferStillReachesTheSleeper()
    {
        // Both workers asleep. The guest spawns a job J (through the ring: its wake-up gives
        // worker 0 the searching token), then joins with A waiting for B, and J waits for B too.
        // Worker 0 finds J before it looks at offers; worker 1 must still be woken for the
        // offer (FINDINGS.md F2: the watch request used to be skipped behind the searcher).
        Explorer.Check(output, "watch: a woken worker takes a ring job (which waits for B) while the guest offers B (A waits for B), 2 workers", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3), MaxSteps = 3_000 },
            execution =>
            {
                var halves = new Halves();
                int[] spawned = new int[1];
                Pools.RunToRest(execution, workers: 2, guestSlots: 1,
                    pool => execution.Spawn("guest", () =>
                    {
                        Execution.SpinUntil(() => execution.DaemonsAtRest);
                        pool.Spawn((halves, spawned), static s =>
                        {
                            Execution.SpinUntil(() => Volatile.Read(ref s.halves.BRuns) != 0);
                            s.spawned[0]++;
                        });
                        pool.Join(halves, static h => h.RunAWaitingForB(), static h => h.RunB());
                    }),
                    () =>
                    {
                        halves.AssertRanOnce("A waiting for B");
                        Assert.True(spawned[0] == 1, $"The spawned job ran {spawned[0]} times.");
                    });
            });
    }

    /// <summary>The guest waits until every worker is parked (asleep untimed), then joins with A waiting for B: only the watch request can wake a worker to claim B.</summary>
    internal static void AWaitsForBOnceAsleep(Execution execution, int workers)
    {
        var halves = new Halves();
        Pools.RunToRest(execution, workers, guestSlots: 1,
            pool => execution.Spawn("guest", () =>
            {
                while (!execution.DaemonsAtRest)
                {
                    SchedulePoint.Spin();
                }

                pool.Join(halves, static h => h.RunAWaitingForB(), static h => h.RunB());
            }),
            () =>
            {
                halves.AssertRanOnce("A waiting for B, every worker asleep");
                Assert.True(halves.AOn == workers && halves.BOn >= 0 && halves.BOn < workers, $"A ran on {halves.AOn}, B on {halves.BOn}: B must have been claimed by a worker.");
            });
    }

    /// <summary>Whether the watch was ever seen held.</summary>
    private sealed class WatchProbe
    {
        public bool SawWatching;

        public void Sample(WorkStealingPool pool) => SawWatching |= PoolState.Counters(pool.Sleepers).Watch == Sleepers.Watching;
    }
}
