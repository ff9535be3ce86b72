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

    private sealed class RingJobProbe
    {
        public int Owner = -2;
        public bool OwnerWaits;
        public int Runs;
    }
}
