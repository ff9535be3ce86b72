using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// One participant of a <see cref="WorkStealingPool"/>: a seat, with its deque, its thread
/// context, its Join frames and offer, its statistics slot, its index, its sleep state, and the
/// loop it runs while it waits. A seat has no thread of its own: a <see cref="WorkerThread"/>
/// holds a worker seat for its whole life, and a thread outside the pool holds a guest seat for
/// the length of one call (see <see cref="GuestSlots"/>). Both run the same code; a guest seat
/// only never sleeps in the pool's sleeping set and never runs the pool's main loop.
/// </summary>
internal sealed partial class Participant
{
    private readonly WorkStealingPool _pool;
    private readonly Sleepers _sleepers;
    private readonly int _spinCount;
    private readonly StatisticsSlot _stats;
    private uint _victimSeed;

    /// <summary>An address above every frame of this participant's calls: the worker thread's first frame, or a guest call's entry frame.</summary>
    private nuint _stackBase;

    /// <summary>Awake, Sleeping or Woken (see <see cref="Sleepers"/>); padded because wakers write it.</summary>
    internal PaddedInt32 SleepState;

    /// <summary>Whether this worker's current sleep is an isolated wait's (wakers wake it last); written by the owner before it announces.</summary>
    internal bool SleepsIsolated;

    /// <summary>
    /// When a waker last took this worker out of the sleeping set (a <see cref="Stopwatch"/>
    /// stamp, written before its unpark): the woken worker measures the hand-off from it
    /// (<see cref="SharingClock.RecordHandOff"/>).
    /// </summary>
    internal long WokenAt;

    /// <summary>Whether some participant of this pool searches for work now (a hint).</summary>
    internal bool SearchersPresent => _sleepers.SearchingCount != 0;

    // Owner-only: whether this worker holds the watch over offers (Sleepers.Watch.cs), and
    // whether its last sleep ended by the watch period rather than by a wake-up.
    private bool _isWatcher;
    private bool _watchTimedOut;
    private int _watchIdlePeriods;
    private bool _mayAdoptOffer;

    internal Participant(WorkStealingPool pool, Sleepers sleepers, int index, bool isGuest, int dequeCapacity, int spinCount)
    {
        _pool = pool;
        _sleepers = sleepers;
        Index = index;
        IsGuest = isGuest;
        Deque = new WorkDeque(dequeCapacity);
        Context = new ThreadContext(this);
        _spinCount = spinCount;
        _stats = pool.StatisticsRegistry.ParticipantSlot(index);
        _victimSeed = (uint)index * 0x9E3779B9u + 1;
        _frameJobs = new DepthStack<FrameJob, Parker>(Context.Parker, InitialFrameJobCount);
        _scopes = new DepthStack<ScopeState, ThreadContext>(Context, PreallocatedScopeDepth);
        Context.ReserveBroadcasts(PreallocatedBroadcastDepth, pool.ThreadCount);
        _offerJob = new FrameJob(Context.Parker);
    }

    internal WorkStealingPool Pool => _pool;

    /// <summary>The participant index: 0 to ThreadCount − 1 for workers, then the guest slots.</summary>
    internal int Index { get; }

    /// <summary>A guest slot (no thread of its own) rather than a worker.</summary>
    internal bool IsGuest { get; }

    internal WorkDeque Deque { get; }

    internal ThreadContext Context { get; }

    /// <summary>
    /// The worker thread that holds this seat for its whole life starts on it: from here on,
    /// <paramref name="stackBase"/> (an address in the thread's first frame) is above every frame
    /// of its calls, and the thread's context is this seat's.
    /// </summary>
    internal void BeginWorkerThread(nuint stackBase)
    {
        Debug.Assert(!IsGuest, "A guest seat is held by an outside thread for one call, never by a worker thread.");
        _stackBase = stackBase;
        TakeStackLimitOfCurrentThread(_pool.Options.StackSize);
        Context.AttachToCurrentThread();
    }

    /// <summary>The worker thread's life on this seat: runs the pool's work until shutdown.</summary>
    internal void RunUntilShutdown()
    {
        var shutdown = new ShutdownRequested(_pool);
        WaitUntil(ref shutdown, isolated: false);
    }

    /// <summary>After shutdown: runs every job still visible to this seat (its deque, the others', the rings).</summary>
    internal void DrainAtExit()
    {
        while (FindWork(takeInjected: true) is { } job)
        {
            _stats.JobRun();
            job.Run(this);
        }
    }

    /// <summary>See <see cref="ThreadContext.WaitUninterruptibly"/>; an isolated wait (of this participant's own fork-join work).</summary>
    private void WaitUninterruptibly<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition => Context.WaitUninterruptibly(ref condition, _spinCount, isolated: true);

    /// <summary>
    /// Runs this pool's work until <paramref name="condition"/> is met: own deque first, then
    /// stealing, then (unless <paramref name="isolated"/>) the injector ring, then the offers of
    /// other participants; searches for the pool's spin count when there is nothing to do, then
    /// sleeps (a worker) or parks on the condition alone (a guest).
    /// </summary>
    /// <param name="condition">What ends the wait.</param>
    /// <param name="isolated">
    /// True for a wait on this participant's own fork-join work (a stolen half, a scope, a
    /// broadcast): it does not take jobs from the injector rings, so an unrelated Install or a
    /// fire-and-forget flood cannot bury the wait under work that runs on top of its stack. One
    /// exception keeps the pool live: a worker asleep in an isolated wait is the last one a
    /// producer wakes (<see cref="Sleepers"/> prefers other sleepers), and once woken for ring
    /// work it takes ring work for the rest of its wait (no other worker could). False for the
    /// main loop, for waits for room in a ring and for waits on an Install into another pool
    /// (whose work may call back into this pool through its ring). A guest's waits are isolated
    /// whatever this says: ring work is the workers'.
    /// </param>
    internal void WaitUntil<TCondition>(ref TCondition condition, bool isolated)
        where TCondition : struct, IWakeCondition
    {
        if (HasRecordedFrames)
        {
            PromoteAllRecorded();
        }

        // Idle as a searcher (counted, takes ring work), else as a helper. A guest is always a
        // helper: its thread is the caller's (a UI or main thread), and another caller's Install
        // or spawn must never run on it, whatever it waits for (room in a ring, an Install into
        // another pool); the workers take ring work (R44 in docs/design/guests.md).
        var waiter = new Waiter(this, searchesRings: !isolated && !IsGuest);
        WaitLoop.Run(ref condition, ref waiter);
    }

    /// <summary>Nothing to run: a searcher counts in <see cref="Sleepers.SearchingCount"/>, an isolated waiter only helps (<see cref="Sleepers.StartHelping"/>).</summary>
    private void StartIdle(bool searches)
    {
        if (searches)
        {
            _sleepers.StartSearching();
        }
        else
        {
            _sleepers.StartHelping();
        }
    }

    /// <summary>Idle no more (work found, wait over, or about to park); a searcher hands the search on if needed.</summary>
    private void StopIdle(bool searches)
    {
        if (searches)
        {
            StopSearchingToRun();
        }
        else
        {
            _sleepers.StopHelping();
        }
    }

    /// <summary>
    /// A searcher found something to run. If it was the last searcher and more work is visible,
    /// wake a sleeper to search in its place (the decrement's fence orders the look after it;
    /// see <see cref="Sleepers"/>).
    /// </summary>
    private void StopSearchingToRun()
    {
        if (_sleepers.StopSearching() && _sleepers.HasWorkToWakeFor())
        {
            _sleepers.NotifyWork();
        }
    }

    /// <summary>
    /// Sleeps until new work, the condition or shutdown wakes it. True when woken with a searching
    /// token. <paramref name="lookAtRings"/> false: an isolated wait's sleep, whose last look
    /// ignores the rings (the wait does not take ring work: a producer wakes another sleeper, or
    /// this one with a token when no other is left), and which wakers prefer not to wake.
    /// </summary>
    private bool Sleep<TCondition>(ref TCondition condition, bool lookAtRings)
        where TCondition : struct, IWakeCondition
    {
        // Written before the announcement's interlocked operations, which publish it to wakers.
        SleepsIsolated = !lookAtRings;
        long parkedAt = 0;
        _sleepers.Announce(this);
        if (condition.TryRegister(Context))
        {
            try
            {
                // The last look, after the announcement's fences (see Sleepers). Shutdown needs
                // no check here: the main loop's condition refuses to register once it is set,
                // and Dispose unparks every worker after setting it. (The parker cannot be
                // interrupted: an interrupt of this thread stays pending for the jobs it runs.)
                SchedulePoint.Hit();
                bool watching = _sleepers.KeepsWatch(ref _isWatcher, ref _watchIdlePeriods);
                if (!(lookAtRings ? _pool.HasVisibleWork() : _pool.HasVisibleDequeWork()) && !HasInbox)
                {
                    if (!lookAtRings && _pool.HasVisibleWork())
                    {
                        // R38: a producer that read Sleeping before our announcement skipped
                        // its wake, and this look does not take ring work: wake someone for
                        // it, ourselves (the permit makes Park return) when nobody else is left.
                        _sleepers.NotifyWork();
                    }

                    _stats.Sleep();
                    parkedAt = Stopwatch.GetTimestamp();
                    if (watching)
                    {
                        // The watcher: look at the offers again after the watch period.
                        _watchTimedOut = !Context.Parker.Park(SharingClock.WatchPeriodMilliseconds);
                    }
                    else
                    {
                        Context.Parker.Park();
                    }
                }
            }
            finally
            {
                condition.Unregister(Context);
            }
        }

        bool woken = _sleepers.Withdraw(this);
        if (woken && parkedAt != 0)
        {
            // A waker's stamp from this sleep (not a stale one from an earlier wake-up) measures
            // the hand-off: from its decision to wake us to this thread running again.
            long stamp = Volatile.Read(ref WokenAt);
            long now = Stopwatch.GetTimestamp();
            if (stamp > parkedAt && now > stamp)
            {
                SharingClock.RecordHandOff(now - stamp);
            }
        }

        return _stats.Woke(woken);
    }

    /// <summary>
    /// The idle rounds that make the next idle round past the spin budget one that looks at the
    /// offers (a multiple of <see cref="OfferCheckPeriod"/>): after a timed park, one look, then
    /// park again unless it found something.
    /// </summary>
    private int OneLookAfterPark() => _spinCount + (OfferCheckPeriod - 1) - ((_spinCount + OfferCheckPeriod - 1) % OfferCheckPeriod);

    /// <summary>
    /// A guest parks until its condition is met or a watch period passes (true: timed out). It is
    /// not in the sleeping set, so no producer wakes it for new work; the timeout lets it look
    /// again for work inside what it waits for (R40 in docs/design/guests.md).
    /// </summary>
    private bool ParkOnCondition<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        bool timedOut = false;
        if (condition.TryRegister(Context))
        {
            try
            {
                _stats.Sleep();
                timedOut = !Context.Parker.Park(SharingClock.WatchPeriodMilliseconds);
                _stats.Woke(byNewWork: false);
            }
            finally
            {
                condition.Unregister(Context);
            }
        }

        return timedOut;
    }

    /// <summary>Broadcast parts for this worker, own deque, then the other participants' deques, then (when <paramref name="takeInjected"/>) the injector ring.</summary>
    internal Job? FindWork(bool takeInjected)
    {
        // Broadcast parts first: only this worker can run them, and a broadcaster waits for
        // every worker, so they must not queue behind this worker's own backlog.
        if (TakeFromInbox() is { } task)
        {
            return task;
        }

        // The owner is the only pusher, so a deque that looks empty to it is empty: skip the
        // pop's fence on every idle poll.
        if (!Deque.LooksEmpty && Deque.TryPop() is { } own)
        {
            return own;
        }

        Participant[] participants = _pool.Participants;
        // A random first victim spreads thieves over the pool instead of all hitting worker 0.
        uint seed = _victimSeed;
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        _victimSeed = seed;
        int start = (int)(seed % (uint)participants.Length);
        for (int i = 0; i < participants.Length; i++)
        {
            int index = start + i;
            Participant victim = participants[index < participants.Length ? index : index - participants.Length];
            if (victim != this && !victim.Deque.LooksEmpty && StealFrom(victim) is { } stolen)
            {
                return stolen;
            }
        }

        // Awaited work first: its caller waits for it, and a flood of spawns must not delay it.
        return takeInjected && (_pool.InstallRing.TryDequeue() ?? _pool.Injector.TryDequeue()) is { } injected ? CountInjected(injected) : null;
    }

    /// <summary>Steals from <paramref name="victim"/>, counting the attempt.</summary>
    private Job? StealFrom(Participant victim)
    {
        Job? stolen = victim.Deque.TrySteal();
        _stats.StealAttempt(stolen is not null);
        return stolen;
    }

    private Job CountInjected(Job job)
    {
        _stats.InjectorJob();
        return job;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ExceptionDispatchInfo? RunCaptured<T>(ref T work)
        where T : struct, IWork
    {
        try
        {
            work.Run(new ForkContext(this));
            return null;
        }
#pragma warning disable CA1031 // Captured for the waiting thread; see Join.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }
}
