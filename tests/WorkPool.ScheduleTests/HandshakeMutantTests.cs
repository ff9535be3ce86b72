using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The late-sharing handshakes' scenarios can fail: on copies of the protocols with one step
/// broken (<see cref="OfferWatchModel"/>, <see cref="GuestSlotModel"/>,
/// <see cref="BoundedQueueWithoutClaimCas{T}"/>) the explorer finds the bug each break makes, and
/// the replay fails the same way; on the unbroken copies it finds nothing. The real engine cannot
/// be switched to a broken step, so these are the evidence that the real scenarios
/// (OfferScheduleTests, WatchScheduleTests, GuestScheduleTests, JobCacheScheduleTests) would
/// notice such a bug.
/// </summary>
public sealed class HandshakeMutantTests(ITestOutputHelper output)
{
    /// <summary>A passing run of the models takes well under 200 points: a spin past this is a lost offer.</summary>
    private const int ModelMaxSteps = 2_000;

    [Fact]
    public void OfferModel_Unbroken_PassesEveryScenario()
    {
        Explorer.Check(output, "offer model: A waits for B (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => AWaitsForB(execution, OfferMutation.None));
        Explorer.Check(output, "offer model: a watcher gives up while the owner offers again (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => WatchGivenUpWhileOfferedAgain(execution, OfferMutation.None));
        Explorer.Check(output, "offer model: retract vs claim (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => RetractVersusClaim(execution, OfferMutation.None));
    }

    [Fact]
    public void OfferPublishedWithAReleaseStore_LosesTheOffer()
    {
        // Store buffering: the owner's read of the watch passes its buffered open word (it sees
        // the watch held and requests nothing); the watcher, giving the watch up, looks at the
        // offers again and misses the word; it sleeps untimed (R33).
        AssertMutantCaught("offer model, publish with a release store: watch given up while offered again (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => WatchGivenUpWhileOfferedAgain(execution, OfferMutation.PublishWithReleaseStore), "livelock");
    }

    [Fact]
    public void OfferWithoutEnsureOffersWatched_LosesTheOffer()
    {
        AssertMutantCaught("offer model, no EnsureOffersWatched: A waits for B (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => AWaitsForB(execution, OfferMutation.SkipEnsureOffersWatched), "livelock");
    }

    [Fact]
    public void KeepsWatchWithoutTheSecondLook_LosesTheOffer()
    {
        AssertMutantCaught("offer model, KeepsWatch without the second look: watch given up while offered again (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => WatchGivenUpWhileOfferedAgain(execution, OfferMutation.KeepsWatchWithoutSecondLook), "livelock");
    }

    [Fact]
    public void RetractWithAPlainStore_RunsTheHalfTwice()
    {
        AssertMutantCaught("offer model, retract by read and plain store: retract vs claim (exhaustive)", new ExploreOptions { PreemptionBound = 2, MaxSteps = ModelMaxSteps },
            execution => RetractVersusClaim(execution, OfferMutation.RetractWithPlainStore), "ran 2 times");
    }

    [Fact]
    public void GuestSlotModel_Unbroken_PassesEveryScenario()
    {
        Explorer.Check(output, "guest slot model: 2 threads x 2 calls, 1 slot (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => SlotRace(execution, GuestSlotMutation.None, closer: false));
        Explorer.Check(output, "guest slot model: 2 threads x 1 call, 1 slot, CloseAll (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => SlotRace(execution, GuestSlotMutation.None, closer: true, callsEach: 1));
    }

    [Fact]
    public void GuestSlotOccupiedWithoutCas_HasTwoOccupants()
    {
        AssertMutantCaught("guest slot model, occupy without CAS (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => SlotRace(execution, GuestSlotMutation.OccupyWithoutCas, closer: false), "Two threads have guest slot 0's context");
    }

    [Fact]
    public void GuestSlotFreedBeforeTheContextIsRestored_HasTwoOccupants()
    {
        AssertMutantCaught("guest slot model, slot freed before the context is restored (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => SlotRace(execution, GuestSlotMutation.FreeBeforeContextRestored, closer: false), "Two threads have guest slot 0's context");
    }

    [Fact]
    public void GuestSlotClosedWithoutCas_LetsACallRunAfterCloseAll()
    {
        AssertMutantCaught("guest slot model, close without CAS (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution => SlotRace(execution, GuestSlotMutation.CloseWithoutCas, closer: true, callsEach: 1), "after CloseAll returned");
    }

    [Fact]
    public void JobCacheQueueClaimingWithoutCas_HandsAJobOutTwice()
    {
        AssertMutantCaught("job cache on a queue that claims without CAS (exhaustive)", new ExploreOptions { PreemptionBound = 1 },
            execution => JobCacheScenarios.Recycle(execution, new BrokenFreeList(2), spawners: 2, jobsEach: 2, executors: 1, prefilled: 1), "handed out twice");
    }

    /// <summary>One Join whose A waits until B ran: only the worker's claim can end it.</summary>
    internal static void AWaitsForB(Execution execution, OfferMutation mutation)
    {
        var model = new OfferWatchModel(mutation);
        execution.Spawn("owner", () => model.Owner([true]));
        execution.Spawn("worker", model.Worker);
        execution.Run();
        AssertEachBOnce(model, 1);
        model.AssertAtRest();
    }

    /// <summary>
    /// A first Join with a short A (the worker may go to sleep as the watcher while it is
    /// offered, and give the watch up once it is retracted and the linger is over), then a Join
    /// whose A waits for B.
    /// </summary>
    internal static void WatchGivenUpWhileOfferedAgain(Execution execution, OfferMutation mutation)
    {
        var model = new OfferWatchModel(mutation);
        execution.Spawn("owner", () => model.Owner([false, true]));
        execution.Spawn("worker", model.Worker);
        execution.Run();
        AssertEachBOnce(model, 2);
        model.AssertAtRest();
    }

    /// <summary>One Join with a short A: the owner's retract races the worker's claim (R30).</summary>
    private static void RetractVersusClaim(Execution execution, OfferMutation mutation)
    {
        var model = new OfferWatchModel(mutation);
        execution.Spawn("owner", () => model.Owner([false]));
        execution.Spawn("worker", model.Worker);
        execution.Run();
        AssertEachBOnce(model, 1);
        model.AssertAtRest();
    }

    private static void AssertEachBOnce(OfferWatchModel model, int joins)
    {
        for (int join = 0; join < joins; join++)
        {
            Assert.True(model.BRuns[join].Count == 1, $"Join {join}'s B ran {model.BRuns[join].Count} times ({string.Join(", ", model.BRuns[join])}).");
        }
    }

    /// <summary>Two threads make <paramref name="callsEach"/> calls each into one guest slot (and, with <paramref name="closer"/>, Dispose closes the slots meanwhile).</summary>
    internal static void SlotRace(Execution execution, GuestSlotMutation mutation, bool closer, int callsEach = 2)
    {
        var model = new GuestSlotModel(slots: 1, mutation);
        for (int t = 0; t < 2; t++)
        {
            string name = $"caller {t}";
            execution.Spawn(name, () =>
            {
                for (int i = 0; i < callsEach; i++)
                {
                    model.Call(name);
                }
            });
        }

        if (closer)
        {
            execution.Spawn("closer", model.CloseAll);
        }

        execution.Run();
        Assert.Equal(2 * callsEach, model.GuestCalls + model.FallbackCalls);
    }

    private void AssertMutantCaught(string scenario, ExploreOptions options, Action<Execution> body, string expected)
    {
        ExplorationResult found = Explorer.Explore(scenario, options, body, replay: null);
        output.WriteLine(found.Describe());
        Assert.True(found.Failure is not null, $"The mutant was not caught: {found.Describe()}");
        Assert.Contains(expected, found.Failure, StringComparison.Ordinal);
        ExplorerSelfTests.AssertReplayFailsTheSameWay(output, found, options, body);
    }
}
