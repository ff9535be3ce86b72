using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Pools for the scenarios of the late-sharing handshakes (offers, the watch, guests, isolated
/// waits): workers that join the run as daemons and leave it when they exit, a run that ends
/// only once every worker is at rest, and the check that the pool's shared state came back to
/// rest too.
/// </summary>
internal static class Pools
{
    /// <summary>
    /// A pool whose workers run under <paramref name="execution"/>: they attach from
    /// <c>OnWorkerStart</c> (as worker i) and detach from <c>OnWorkerExit</c>. SpinCount 1 and a
    /// ring of 2 keep the schedules short.
    /// </summary>
    internal static WorkStealingPool Create(Execution execution, int workers, int guestSlots, int injectorCapacity = 2) =>
        new(new WorkStealingPoolOptions
        {
            ThreadCount = workers,
            GuestSlots = guestSlots,
            ThreadNamePrefix = "wp.explore",
            SpinCount = 1,
            InjectorCapacity = injectorCapacity,
            OnWorkerStart = index => execution.AttachCurrentThread($"worker {index}"),
            OnWorkerExit = _ => execution.DetachCurrentThread(),
        });

    /// <summary>
    /// A fresh pool for one run: <paramref name="scenario"/> spawns its threads, then the run goes
    /// on until every worker is at rest (<see cref="Execution.SettleDaemons"/>), the pool's state
    /// must be at rest (<see cref="PoolState.AssertAtRest"/>), then <paramref name="check"/> runs
    /// and the pool is disposed (outside the run, in real time).
    /// </summary>
    internal static void RunToRest(Execution execution, int workers, int guestSlots, Action<WorkStealingPool> scenario, Action check) =>
        RunToRest(execution, workers, guestSlots, scenario, _ => check());

    /// <summary>As above, with a check that looks at the pool (its statistics, say).</summary>
    internal static void RunToRest(Execution execution, int workers, int guestSlots, Action<WorkStealingPool> scenario, Action<WorkStealingPool> check)
    {
        WorkStealingPool pool = Create(execution, workers, guestSlots);
        try
        {
            execution.AwaitAttached(workers);
            scenario(pool);
            execution.SettleDaemons = true;
            execution.Run();
            Assert.True(execution.Settled, "The run ended before every worker came to rest.");
            PoolState.AssertAtRest(pool);
            check(pool);
        }
        finally
        {
            DisposeAfterRun(execution, pool);
        }
    }

    /// <summary>
    /// Disposes a pool after its run, in real time, bounded. After a failed run the scenario
    /// threads were unwound by an exception thrown at a schedule point, in the middle of the
    /// engine's code (a guest call may never have left its slot): Dispose may then never
    /// return, and the pool is left behind (its threads are background threads) so that the
    /// failure is reported. After a run that passed, Dispose must return.
    /// </summary>
    internal static void DisposeAfterRun(Execution execution, WorkStealingPool pool)
    {
        var disposer = new Thread(pool.Dispose) { IsBackground = true, Name = "explore dispose" };
        disposer.Start();
        bool failed = execution.Failure is not null;
        if (!disposer.Join(failed ? TimeSpan.FromSeconds(1) : Execution.RealTimeLimit) && !failed)
        {
            throw new ScheduleFailureException($"Dispose did not return within {Execution.RealTimeLimit.TotalSeconds} s after a run that passed.");
        }
    }
}

/// <summary>Reads a pool's shared state (idle counters, offers, guest slots) for the checks at rest.</summary>
internal static class PoolState
{
    private static readonly FieldInfo s_counters = typeof(Sleepers).GetField("_counters", BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>Searching, Sleeping, Watch and Helping (Sleepers.Counters, a private struct).</summary>
    internal static (int Searching, int Sleeping, int Watch, int Helping) Counters(Sleepers sleepers)
    {
        object counters = s_counters.GetValue(sleepers)!;
        Type type = counters.GetType();
        int Read(string name) => (int)type.GetField(name)!.GetValue(counters)!;
        return (Read("Searching"), Read("Sleeping"), Read("Watch"), Read("Helping"));
    }

    /// <summary>The guest slot's occupancy word (GuestSlots.Free, Occupied or Closed).</summary>
    internal static int Occupancy(Participant guest) => Occupancy_(guest).Value;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_occupancy")]
    private static extern ref PaddedInt32 Occupancy_(Participant worker);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_offerJob")]
    internal static extern ref readonly FrameJob OfferJob(Participant worker);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_promotedCount")]
    private static extern ref int PromotedCount(Participant worker);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_newestFrame")]
    private static extern unsafe ref JoinFrame* NewestFrame(Participant worker);

    /// <summary>
    /// Everything a pool whose calls all returned and whose workers all sleep must be back to:
    /// nobody searching or helping, every worker asleep (Sleeping, in the count and in its own
    /// state), no watch held or requested, no offer open and every offer job done, no frame
    /// linked and no promoted job outstanding, every deque and both rings empty, every guest slot
    /// free.
    /// </summary>
    internal static unsafe void AssertAtRest(WorkStealingPool pool)
    {
        (int searching, int sleeping, int watch, int helping) = Counters(pool.Sleepers);
        Assert.True(searching == 0 && helping == 0 && sleeping == pool.ThreadCount && watch == Sleepers.WatchNone,
            $"At rest: Searching {searching} (want 0), Helping {helping} (want 0), Sleeping {sleeping} (want {pool.ThreadCount}), Watch {watch} (want {Sleepers.WatchNone}, none).");
        foreach (Participant worker in pool.Workers)
        {
            Assert.True(worker.SleepState.Value == Sleepers.Sleeping, $"At rest: worker {worker.Index}'s sleep state is {worker.SleepState.Value}, not Sleeping.");
        }

        foreach (Participant participant in pool.Participants)
        {
            Assert.False(participant.HasOpenOffer, $"At rest: participant {participant.Index} still has an offer open.");
            Assert.True(OfferJob(participant).IsDone, $"At rest: participant {participant.Index}'s offer job is still armed.");
            Assert.True(NewestFrame(participant) is null && PromotedCount(participant) == 0, $"At rest: participant {participant.Index} still has a Join frame or a promoted job.");
            Assert.True(participant.Deque.LooksEmpty, $"At rest: participant {participant.Index}'s deque is not empty.");
            if (participant.IsGuest)
            {
                Assert.True(Occupancy(participant) == GuestSlots.Free, $"At rest: guest slot {participant.Index} is {Occupancy(participant)}, not Free.");
            }
        }

        Assert.True(pool.Injector.LooksEmpty && pool.InstallRing.LooksEmpty, "At rest: an injector ring (spawns or installs) is not empty.");
    }
}

/// <summary>
/// The two halves of one Join under test: how often each ran, on which participant, and a
/// result each computes (plain fields: one thread runs at a time under the scheduler).
/// </summary>
internal sealed class Halves
{
    public int ARuns;
    public int BRuns;
    public int AOn = -2;
    public int BOn = -2;
    public int AResult;
    public int BResult;

    /// <summary>A: records itself and computes 6 × 7, then takes <paramref name="steps"/> schedule points (a longer first half: room for a claim).</summary>
    internal void RunA(int steps)
    {
        AOn = WorkStealingPool.CurrentWorkerIndex;
        for (int i = 0; i < steps; i++)
        {
            SchedulePoint.Hit();
        }

        AResult = 6 * 7;
        ARuns++;
    }

    /// <summary>A that cannot finish before B ran: it spins until B ran, so only a participant that claims or steals B can end it.</summary>
    internal void RunAWaitingForB()
    {
        AOn = WorkStealingPool.CurrentWorkerIndex;
        Execution.SpinUntil(() => Volatile.Read(ref BRuns) != 0);

        AResult = 6 * 7;
        ARuns++;
    }

    internal void RunB()
    {
        BOn = WorkStealingPool.CurrentWorkerIndex;
        BResult = 10 + 11;
        Volatile.Write(ref BRuns, BRuns + 1);
    }

    /// <summary>Each half ran exactly once, and the results are those of one run each.</summary>
    internal void AssertRanOnce(string what)
    {
        Assert.True(ARuns == 1 && BRuns == 1, $"{what}: A ran {ARuns} times, B {BRuns} times (want once each).");
        Assert.True(AResult == 42 && BResult == 21, $"{what}: results A {AResult} (want 42), B {BResult} (want 21).");
    }

    /// <summary>B ran on another participant than A: it was claimed or stolen.</summary>
    internal bool Shared => BOn != AOn;
}

/// <summary>How often an outcome was seen over the runs of one exploration (coverage: both sides of a race must occur).</summary>
internal sealed class Outcomes
{
    public int True;
    public int False;

    public void Add(bool outcome)
    {
        if (outcome)
        {
            True++;
        }
        else
        {
            False++;
        }
    }

    public void AssertBoth(ITestOutputHelper output)
    {
        output.WriteLine($"B claimed in {True} runs, run inline by the owner in {False}.");
        Assert.True(True > 0 && False > 0, $"Only one side of the race was seen (claimed {True}, inline {False}): the scenario does not cover the race.");
    }
}

/// <summary>
/// The first part of <see cref="WorkStealingPool.Dispose"/>, step for step, with a schedule
/// point in each of its spins: the real Dispose spins in real time (SpinWait) while it waits for
/// an occupied guest slot and for the gate to drain, and joins the worker threads, neither of
/// which a run can schedule. Transcribed from Dispose (keep in step with it): dispose started,
/// close every guest slot (waiting while one is occupied), close the gate and wait for it to
/// drain, shut down and wake every worker and every producer waiting for room in the ring. The
/// real Dispose after the run then only joins the threads (it sees Dispose started).
/// </summary>
internal static class DisposeSteps
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_disposeStarted")]
    private static extern ref int DisposeStarted(WorkStealingPool pool);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_disposeGate")]
    private static extern ref PaddedInt32 DisposeGate(WorkStealingPool pool);

    private static readonly FieldInfo s_shutdown = typeof(WorkStealingPool).GetField("_shutdown", BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>Runs the steps; <paramref name="slotsClosed"/> is called once every guest slot is closed (no guest call may run after it).</summary>
    internal static void Run(WorkStealingPool pool, Action slotsClosed)
    {
        if (Interlocked.Exchange(ref DisposeStarted(pool), 1) != 0)
        {
            return;
        }

        // GuestSlots.CloseAll.
        for (int i = pool.ThreadCount; i < pool.ParticipantCount; i++)
        {
            Participant guest = pool.Participants[i];
            SchedulePoint.Hit();
            while (!guest.TryClose())
            {
                SchedulePoint.Spin();
            }
        }

        slotsClosed();
        SchedulePoint.Hit();
        Interlocked.Or(ref DisposeGate(pool).Value, int.MinValue);
        while ((Volatile.Read(ref DisposeGate(pool).Value) & int.MaxValue) != 0)
        {
            SchedulePoint.Spin();
        }

        s_shutdown.SetValue(pool, true);
        Interlocked.MemoryBarrier();
        pool.Sleepers.WakeAll();
        pool.Injector.WakeAllProducers();
    }
}
