using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Isolated waits (docs/design/guests.md, "Isolated waits"): a participant waiting for its own
/// fork-join work (a claimed or stolen half) helps with deques and offers but takes no job from
/// the injector ring, and counts as helping, not searching. New ring work must therefore still
/// wake a sleeping worker, and must never run on top of the isolated wait.
/// </summary>
public sealed class IsolatedWaitScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void RingJobRunsWhileAWorkerWaitsIsolated()
    {
        // Worker x runs an installed Join whose B, once claimed, spins until an outside
        // thread's fallback Install (a ring job) has run. x waits for B isolated: it must not
        // take the ring job, so a third worker must run it, and that one may be asleep: the
        // publisher must wake it even though x is idle (helping, not searching).
        Explorer.Check(output, "isolated wait: a worker waits for its claimed half while a ring job it must not take needs a sleeping worker", new ExploreOptions { Runs = 100, Budget = TimeSpan.FromSeconds(4) },
            execution =>
            {
                var halves = new Halves();
                var ring = new RingJobProbe();
                Pools.RunToRest(execution, workers: 3, guestSlots: 0,
                    pool =>
                    {
                        execution.Spawn("joiner", () => pool.Install((pool, halves, ring), static s =>
                        {
                            s.ring.Owner = WorkStealingPool.CurrentWorkerIndex;
                            s.pool.Join(s,
                                static s =>
                                {
                                    s.halves.RunA(steps: 1);
                                    s.ring.OwnerWaits = true; // from here to the Join's return: the isolated wait (or B inline)
                                },
                                static s =>
                                {
                                    Execution.SpinUntil(() => Volatile.Read(ref s.ring.Runs) != 0);

                                    s.halves.RunB();
                                });
                            s.ring.OwnerWaits = false;
                        }));
                        execution.Spawn("installer", () => pool.Install(ring, static r =>
                        {
                            Assert.False(r.OwnerWaits && WorkStealingPool.CurrentWorkerIndex == r.Owner,
                                $"The ring job ran on worker {r.Owner} inside its isolated wait for its own half.");
                            Volatile.Write(ref r.Runs, r.Runs + 1);
                        }));
                    },
                    () =>
                    {
                        halves.AssertRanOnce("Join whose B waits for the ring job");
                        Assert.True(ring.Runs == 1, $"The ring job ran {ring.Runs} times.");
                    });
            });
    }

    [Fact]
    public void ClaimedHalfWhoseFirstHalfWaitsForItsSecond()
    {
        // The guest's B is claimed by the worker; B's own Join (outermost on the worker) offers
        // b2, and b1 waits for b2. The guest, waiting for B, is the only idle participant: it
        // must claim b2.
        Explorer.Check(output, "isolated wait: the owner of a claimed half must claim that half's own offer (b1 waits for b2)", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var outer = new Halves();
                var inner = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("guest", () => pool.Join(
                        (pool, outer, inner),
                        static s => s.outer.RunA(steps: 1),
                        static s =>
                        {
                            // Some work before the inner Join: the guest may have parked meanwhile.
                            SchedulePoint.Hit();
                            SchedulePoint.Hit();
                            s.pool.Join(s.inner, static h => h.RunAWaitingForB(), static h => h.RunB());
                            s.outer.RunB();
                        })),
                    () =>
                    {
                        outer.AssertRanOnce("outer Join");
                        inner.AssertRanOnce("inner Join (b1 waits for b2)");
                    });
            });
    }

    private sealed class RingJobProbe
    {
        public int Owner = -2;
        public bool OwnerWaits;
        public int Runs;
    }
}
