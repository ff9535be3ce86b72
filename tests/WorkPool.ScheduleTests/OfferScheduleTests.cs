using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Offers (docs/design/offers.md, R30–R32) in a real pool: the outermost Join offers its second
/// half, an idle participant claims it (at once: ShareAfter is zero in this build) while the
/// owner, after the first half, retracts it. Exactly one of the two must win (R30), a claim can
/// only take the offer it saw (R31), and the owner must not leave the Join before the claimer is
/// done with the half on its stack (R32). Every run ends with the pool at rest.
/// </summary>
public sealed class OfferScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void RetractRacesClaim_OwnerIsAWorker()
    {
        var seen = new Outcomes();
        Explorer.Check(output, "offers: a worker's outermost Join, its retract racing the other worker's claim", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 2, guestSlots: 0,
                    pool => execution.Spawn("caller", () => pool.Install((pool, halves), static s =>
                        s.pool.Join(s.halves, static h => h.RunA(steps: 2), static h => h.RunB()))),
                    () =>
                    {
                        halves.AssertRanOnce("worker's Join");
                        Assert.True(halves.AOn is 0 or 1, $"A ran on participant {halves.AOn}, not on a worker.");
                        seen.Add(halves.Shared);
                    });
            });
        seen.AssertBoth(output);
    }

    [Fact]
    public void RetractRacesClaim_OwnerIsAGuest()
    {
        var seen = new Outcomes();
        Explorer.Check(output, "offers: a guest's outermost Join, its retract racing a worker's claim", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("caller", () => pool.Join(halves, static h => h.RunA(steps: 2), static h => h.RunB())),
                    () =>
                    {
                        halves.AssertRanOnce("guest's Join");
                        Assert.True(halves.AOn == 1, $"A ran on participant {halves.AOn}, not in the guest slot (1).");
                        seen.Add(halves.Shared);
                    });
            });
        seen.AssertBoth(output);
    }

    [Fact]
    public void RetractRacesClaim_OwnerIsAGuest_Exhaustive()
    {
        Explorer.Check(output, "offers: a guest's outermost Join, its retract racing a worker's claim (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("caller", () => pool.Join(halves, static h => h.RunA(steps: 1), static h => h.RunB())),
                    () => halves.AssertRanOnce("guest's Join"));
            });
    }

    [Fact]
    public void FirstHalfWaitsForTheSecond_OnlyAClaimEndsIt()
    {
        // A spins until B ran: the owner's retract can never win, so every schedule must get B
        // claimed by the worker, however the worker stands (searching, falling asleep, asleep:
        // then the owner requests the watch and wakes it), and the owner waits for the claimed
        // half (R32) before it returns.
        Explorer.Check(output, "offers: A waits for B, the owner a guest, 1 worker (only a claim ends A)", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("caller", () => pool.Join(halves, static h => h.RunAWaitingForB(), static h => h.RunB())),
                    () =>
                    {
                        halves.AssertRanOnce("A waiting for B");
                        Assert.True(halves.AOn == 1 && halves.BOn == 0, $"A ran on {halves.AOn}, B on {halves.BOn}: B must have been claimed by the worker.");
                    });
            });
    }

    [Fact]
    public void FirstHalfWaitsForTheSecond_OwnerIsAWorker()
    {
        Explorer.Check(output, "offers: A waits for B, the owner a worker, 2 workers (only a claim ends A)", new ExploreOptions { Runs = 120, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                Pools.RunToRest(execution, workers: 2, guestSlots: 0,
                    pool => execution.Spawn("caller", () => pool.Install((pool, halves), static s =>
                        s.pool.Join(s.halves, static h => h.RunAWaitingForB(), static h => h.RunB()))),
                    () =>
                    {
                        halves.AssertRanOnce("A waiting for B on a worker");
                        Assert.True(halves.Shared, $"A and B both ran on participant {halves.AOn}.");
                    });
            });
    }

    [Fact]
    public void OwnerHelpsWhileItsClaimedHalfRuns()
    {
        // The worker claims the guest's B, and B's own Join offers its second half (b2): the
        // guest, waiting for its claimed half, helps, and may claim b2 and run it in place on
        // the worker's stack, while the worker waits for that claim in turn. Both waits end.
        var helped = new Outcomes();
        Explorer.Check(output, "offers: the owner's wait for its claimed half helps by claiming that half's own offer", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var outer = new Halves();
                var inner = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("caller", () => pool.Join(
                        (pool, outer, inner),
                        static s => s.outer.RunA(steps: 1),
                        static s =>
                        {
                            s.pool.Join(s.inner, static h => h.RunA(steps: 1), static h => h.RunB());
                            s.outer.RunB();
                        })),
                    () =>
                    {
                        outer.AssertRanOnce("outer Join");
                        inner.AssertRanOnce("inner Join (in B)");
                        helped.Add(inner.BOn == 1 && inner.AOn == 0);
                    });
            });
        output.WriteLine($"The guest ran the inner second half while waiting for its claimed half in {helped.True} runs.");
        Assert.True(helped.True > 0, "No schedule had the waiting guest claim the inner offer: the scenario does not cover the helping wait.");
    }

    [Fact]
    public void OfferRetractedForPromotionAtAWait()
    {
        // A runs a scope: its wait first promotes every half nobody took, the offered outermost
        // B included, so it retracts the offer (racing the worker's claim) and pushes B onto the
        // guest's deque, where the worker may steal it, or the guest pop it back. B once, the
        // spawned job once, whoever ran what.
        var promoted = new Outcomes();
        Explorer.Check(output, "offers: a guest's A runs a scope whose wait retracts the open offer to promote B, racing a claim", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var halves = new Halves();
                int[] spawned = new int[1];
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("guest", () => pool.Join(
                        (pool, halves, spawned),
                        static s =>
                        {
                            s.pool.Scope(s.spawned, static (spawned, scope) => scope.Spawn(spawned, static (spawned, _) => spawned[0]++));
                            s.halves.RunA(steps: 1);
                        },
                        static s => s.halves.RunB())),
                    pool =>
                    {
                        halves.AssertRanOnce("guest's Join with a scope in A");
                        Assert.True(spawned[0] == 1, $"The scope's job ran {spawned[0]} times.");
                        promoted.Add(pool.GetStatistics().Total.JoinsPromoted > 0);
                    });
            });
        output.WriteLine($"B was retracted and promoted in {promoted.True} runs of {promoted.True + promoted.False}.");
        Assert.True(promoted.True > 0, "No schedule promoted the offered B at the scope's wait: the scenario does not cover the retract for promotion.");
    }

    [Fact]
    public void TwoOffersInARow_AClaimTakesOnlyTheOfferItSaw()
    {
        // R31: the owner retracts its first offer and publishes the second (same frame address,
        // new sequence) while the worker looks: a claim of the first word must fail, and each B
        // run once, in its own Join.
        Explorer.Check(output, "offers: two outermost Joins in a row from a guest, a worker claiming", new ExploreOptions { Runs = 150, Budget = TimeSpan.FromSeconds(3) },
            execution =>
            {
                var first = new Halves();
                var second = new Halves();
                Pools.RunToRest(execution, workers: 1, guestSlots: 1,
                    pool => execution.Spawn("caller", () => pool.Install((pool, first, second), static s =>
                    {
                        s.pool.Join(s.first, static h => h.RunA(steps: 1), static h => h.RunB());
                        s.pool.Join(s.second, static h => h.RunA(steps: 1), static h => h.RunB());
                    })),
                    () =>
                    {
                        first.AssertRanOnce("first Join");
                        second.AssertRanOnce("second Join");
                    });
            });
    }
}
