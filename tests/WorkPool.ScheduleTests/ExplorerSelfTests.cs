using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The explorer can fail: on deliberately broken copies of the algorithms it finds the known
/// bugs, reports them with a replay, and the replay fails the same way. Without these its
/// passing runs on the real code would mean nothing.
/// </summary>
public sealed class ExplorerSelfTests(ITestOutputHelper output)
{
    [Fact]
    public void FindsPopWithoutCasOnTheLastElement_Exhaustive()
    {
        ExplorationResult found = Explorer.Explore("broken deque: steal vs pop of the last element (exhaustive)", new ExploreOptions { PreemptionBound = 3 },
            execution => DequeScenarios.StealVersusPopOfLast(execution, new DequeWithoutLastElementCas(4)), replay: null);
        output.WriteLine(found.Describe());
        Assert.NotNull(found.Failure);
        Assert.Contains("taken 2 times", found.Failure, StringComparison.Ordinal);
        AssertReplayFailsTheSameWay(found, execution => DequeScenarios.StealVersusPopOfLast(execution, new DequeWithoutLastElementCas(4)));
    }

    [Fact]
    public void FindsPopWithoutCasOnTheLastElement_RandomAndPct()
    {
        ExplorationResult found = Explorer.Explore("broken deque: wrap-around", new ExploreOptions { Runs = 2_000, Budget = TimeSpan.FromSeconds(8) },
            execution => DequeScenarios.WrapAround(execution, new DequeWithoutLastElementCas(2), jobs: 8), replay: null);
        output.WriteLine(found.Describe());
        Assert.NotNull(found.Failure);
        Assert.Contains("taken 2 times", found.Failure, StringComparison.Ordinal);
        AssertReplayFailsTheSameWay(found, execution => DequeScenarios.WrapAround(execution, new DequeWithoutLastElementCas(2), jobs: 8));
    }

    [Fact]
    public void StoreBufferModel_FindsPopWithoutItsFence()
    {
        ExplorationResult found = Explorer.Explore("store-buffer model: deque pop without its fence (exhaustive)", new ExploreOptions { PreemptionBound = 3 },
            execution => DequeScenarios.StealVersusPopOfLast(execution, new StoreBufferDeque(4, fenceInPop: false)), replay: null);
        output.WriteLine(found.Describe());
        Assert.NotNull(found.Failure);
        Assert.Contains("taken 2 times", found.Failure, StringComparison.Ordinal);
        AssertReplayFailsTheSameWay(found, execution => DequeScenarios.StealVersusPopOfLast(execution, new StoreBufferDeque(4, fenceInPop: false)));
    }

    [Fact]
    public void StoreBufferModel_PopWithItsFenceIsCorrect()
    {
        // The control for the test above: the same model and search, with the fence, find nothing.
        Explorer.Check(output, "store-buffer model: deque pop with its fence (exhaustive)", new ExploreOptions { PreemptionBound = 3 },
            execution => DequeScenarios.StealVersusPopOfLast(execution, new StoreBufferDeque(4, fenceInPop: true)));
    }

    [Fact]
    public void FindsLostWakeUpOfASplitLatchAsDeadlock()
    {
        ExplorationResult found = Explorer.Explore("broken latch: read-then-write completion", new ExploreOptions { PreemptionBound = 2 },
            BrokenLatchScenario, replay: null);
        output.WriteLine(found.Describe());
        Assert.NotNull(found.Failure);
        Assert.Contains("deadlock", found.Failure, StringComparison.Ordinal);
        AssertReplayFailsTheSameWay(found, BrokenLatchScenario);
    }

    [Fact]
    public void FindsALostUnparkInTheSleepWakeScenario()
    {
        // The real engine, but the first unpark that would wake a parked thread is lost: the
        // sleep/wake scenario must notice (a worker or the caller never wakes: deadlock).
        ExplorationResult found = Explorer.Explore("sleep/wake with one lost unpark", new ExploreOptions { Runs = 300 },
            execution =>
            {
                execution.PulsesToLose = 1;
                SleepWakeScheduleTests.InstallScenario(execution, workers: 1, callers: 1, installsEach: 3);
            }, replay: null);
        output.WriteLine(found.Describe());
        Assert.NotNull(found.Failure);
        Assert.Contains("deadlock", found.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void FailingDebugAssertFailsTheRun()
    {
        ExplorationResult found = Explorer.Explore("Debug.Assert in a scenario thread", new ExploreOptions { Runs = 1 },
            execution =>
            {
                execution.Spawn("asserting", () =>
                {
                    SchedulePoint.Hit();
                    System.Diagnostics.Debug.Assert(false, "deliberate");
                });
                execution.Run();
            }, replay: null);
        Assert.NotNull(found.Failure);
        Assert.Contains("deliberate", found.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SpinningForeverIsALivelock()
    {
        ExplorationResult found = Explorer.Explore("spin forever", new ExploreOptions { Runs = 2, MaxSteps = 500 },
            execution =>
            {
                execution.Spawn("spinner", () =>
                {
                    while (true)
                    {
                        SchedulePoint.Spin();
                    }
                });
                execution.Run();
            }, replay: null);
        Assert.NotNull(found.Failure);
        Assert.Contains("livelock", found.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void SchedulePointHookIsBound_ALibrarySchedulePointReachesTheScheduler()
    {
        // ModelHooks.cs completes the library's partial SchedulePoint by sharing its namespace.
        // Were it not bound (a moved namespace, a dropped partial), every point would be a no-op
        // and every exploration would pass without switching a thread. One thread, one library
        // call with schedule points (Parker.Unpark): the scheduler must be asked at them, on top
        // of the one decision that starts the run.
        var execution = new Execution(new RandomStrategy(1), maxSteps: 100);
        var parker = new Parker();
        execution.Spawn("unparker", parker.Unpark);
        execution.Run();
        Assert.True(execution.Steps > 1, $"The library's schedule points never reached the scheduler ({execution.Steps} decision): SchedulePoint.OnHit is not bound to Execution.OnSchedulePoint.");
    }

    [Fact]
    public void MonitorShadowIsBound_TheRealParkerBlocksInTheModel()
    {
        // ModelHooks.cs also shadows Monitor for the library's sources. Were the shadow not bound,
        // the real Parker would block in the real Monitor.Wait: no run would park in the model
        // (and one that blocked would hang until the real-time bound).
        ExplorationResult result = Explorer.Explore("hooks: the real Parker, owner parking vs waker (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            static execution =>
            {
                var parker = new Parker();
                execution.Spawn("owner", parker.Park);
                execution.Spawn("waker", parker.Unpark);
                execution.Run();
            });
        output.WriteLine(result.Describe());
        Assert.Null(result.Failure);
        Assert.True(result.Exhausted, result.Describe());
        Assert.True(result.RunsWithParking > 0, $"No schedule parked in the model ({result.Describe()}): Parker's Monitor.Wait is not the exploration build's shadow.");
    }

    private static void BrokenLatchScenario(Execution execution)
    {
        var owner = new ThreadContext(worker: null);
        var latch = new LatchWithSplitComplete(owner.Parker);
        latch.Arm();
        execution.Spawn("owner", () =>
        {
            var completed = new LatchWithSplitComplete.Completed(latch);
            owner.WaitUntil(ref completed, spinCount: 1);
        });
        execution.Spawn("executor", latch.Complete);
        execution.Run();
    }

    private void AssertReplayFailsTheSameWay(ExplorationResult found, Action<Execution> scenario)
    {
        ExplorationResult replayed = Explorer.Explore(found.Scenario + " (replay)", new ExploreOptions(), scenario, replay: found.Replay);
        output.WriteLine("Replay of " + found.Replay + ": " + replayed.Describe());
        Assert.Equal(1, replayed.Runs);
        Assert.NotNull(replayed.Failure);
        Assert.Equal(found.Trace, replayed.Trace);
    }
}
