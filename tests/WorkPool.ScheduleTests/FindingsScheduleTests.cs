using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Scenarios that fail on the engine as it is: each checks what the design promises, and the
/// explorer finds a schedule that breaks it (FINDINGS.md says what, why, and how to replay it).
/// They are skipped so that the suite stays green until the engine is fixed; remove the Skip
/// with the fix. A lost offer or wake-up shows as a livelock (a first half spinning for ever
/// while every other participant is parked), found within <see cref="MaxSteps"/> points.
/// </summary>
public sealed class FindingsScheduleTests(ITestOutputHelper output)
{
    /// <summary>The longest passing run of these scenarios takes about 100 points: a spin past this is a lost wake-up, reported quickly.</summary>
    private const int MaxSteps = 3_000;

    [Fact]
    public void F1_ClaimedHalfWhoseFirstHalfWaitsForItsSecond_GuestOwner()
    {
        // The worker claims the guest's B. B works a little, then joins b1 and b2, and b1 waits
        // for b2. The guest, waiting for its claimed B, is the only idle participant: it must
        // get b2. It helps for its spin budget, then parks on its own condition (a guest never
        // sleeps in the sleeping set), where neither the offer of b2 nor a promotion reaches it
        // (AnyIdle is false: it is neither searching, sleeping nor helping).
        Explorer.Check(output, "finding F1: the guest, waiting for its claimed half, must take that half's offer (b1 waits for b2)", new ExploreOptions { Runs = 150, MaxSteps = MaxSteps },
            execution => NestedWait(execution, workers: 1, guestSlots: 1));
    }

    [Fact]
    public void F4_ClaimedHalfWhoseFirstHalfWaitsForItsSecond_WorkerOwner()
    {
        // Worker x runs an installed Join; worker y, the watcher, claims B after a watch period
        // and runs it still holding the watch. B works a little, then joins b1 and b2 (b1 waits
        // for b2): its offer finds the watch held and requests nothing; x, waiting for B, goes
        // to sleep (isolated), finds the watch held and sleeps untimed. Nobody claims b2.
        Explorer.Check(output, "finding F4: a worker waiting for its claimed half must take that half's own offer, the claimer being the watcher (b1 waits for b2)", new ExploreOptions { Runs = 300, Budget = TimeSpan.FromSeconds(6), MaxSteps = MaxSteps },
            execution => NestedWait(execution, workers: 2, guestSlots: 0));
    }

    [Fact]
    public void F3_ACallThatStartsAfterDisposeStartedIsRefused()
    {
        // IsDisposed: "True once Dispose has started; every entry point then throws
        // ObjectDisposedException". A call that saw IsDisposed is refused the guest slot (the
        // slot CAS is followed by a look at the dispose flag), takes the fallback, and the gate,
        // which Dispose closes only after every guest slot, still lets it publish: it runs.
        Explorer.Check(output, "finding F3: a call that starts once IsDisposed is true must be refused", new ExploreOptions { Runs = 300, MaxSteps = MaxSteps },
            execution =>
            {
                WorkStealingPool pool = Pools.Create(execution, workers: 1, guestSlots: 1);
                try
                {
                    execution.AwaitAttached(1);
                    var race = new GuestScheduleTests.DisposeRace(pool);
                    execution.Spawn("caller", () =>
                    {
                        race.Call(0, () => pool.Install(race, static r => r.Ran(0)));
                        race.Call(1, () => pool.Join(race, static r => r.Ran(1), static r => r.Ran(2)));
                    });
                    execution.Spawn("disposer", () => DisposeSteps.Run(pool, race.SlotsClosed));
                    execution.SettleDaemons = true;
                    execution.Run();
                    for (int call = 0; call < 2; call++)
                    {
                        Assert.False(race.StartedAfterDispose[call] && !race.Refused[call], $"Call {call} started after Dispose had started (IsDisposed was true) and still ran.");
                    }
                }
                finally
                {
                    Pools.DisposeAfterRun(execution, pool);
                }
            });
    }

    /// <summary>
    /// An outer Join whose A takes four points (room for the other participant to claim B) and
    /// whose B works two points, then joins b1 and b2 with b1 waiting for b2. From a guest call
    /// when there is a guest slot, else installed on a worker.
    /// </summary>
    internal static void NestedWait(Execution execution, int workers, int guestSlots)
    {
        var outer = new Halves();
        var inner = new Halves();
        Pools.RunToRest(execution, workers, guestSlots,
            pool => execution.Spawn("caller", () => pool.Install((pool, outer, inner), static s => s.pool.Join(
                s,
                static s => s.outer.RunA(steps: 4),
                static s =>
                {
                    SchedulePoint.Hit();
                    SchedulePoint.Hit();
                    s.pool.Join(s.inner, static h => h.RunAWaitingForB(), static h => h.RunB());
                    s.outer.RunB();
                }))),
            () =>
            {
                outer.AssertRanOnce("outer Join");
                inner.AssertRanOnce("inner Join (b1 waits for b2)");
            });
    }
}
