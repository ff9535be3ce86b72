using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// One worker thread of a <see cref="WorkStealingPool"/>: its deque, its thread context, its
/// sleep state, and the loops it runs (the main loop, and the wait loop of a Join whose second
/// half was stolen or of an Install into another pool).
/// </summary>
internal sealed partial class Worker
{
    private readonly WorkStealingPool _pool;
    private readonly Sleepers _sleepers;
    private readonly int _spinCount;
    private readonly StatisticsSlot _stats;
    private uint _victimSeed;

    /// <summary>An address above every frame of this worker's thread (set when the thread starts).</summary>
    private nuint _stackBase;

    /// <summary>Awake, Sleeping or Woken (see <see cref="Sleepers"/>); padded because wakers write it.</summary>
    internal PaddedInt32 SleepState;

    internal Worker(WorkStealingPool pool, Sleepers sleepers, int index, int dequeCapacity, int spinCount)
    {
        _pool = pool;
        _sleepers = sleepers;
        Index = index;
        Deque = new WorkDeque(dequeCapacity);
        Context = new ThreadContext(this);
        _spinCount = spinCount;
        _stats = pool.StatisticsRegistry.WorkerSlot(index);
        _victimSeed = (uint)index * 0x9E3779B9u + 1;
        _frameJobs = [];
        GrowFrameJobs(InitialFrameJobCount);
    }

    internal WorkStealingPool Pool => _pool;

    internal int Index { get; }

    internal WorkDeque Deque { get; }

    internal ThreadContext Context { get; }

    /// <summary>The worker's thread entry point.</summary>
    internal unsafe void Run()
    {
        int stackMarker = 0;
        _stackBase = (nuint)(&stackMarker);
        Context.AttachToCurrentThread();
        _pool.Options.OnWorkerStart?.Invoke(Index);

        var shutdown = new ShutdownRequested(_pool);
        WaitUntil(ref shutdown);

        // Shutdown was observed before this scan, and Dispose set it only after every outside
        // caller had finished publishing, so this sees every injected job. Jobs that running
        // jobs push later land on their own worker's deque, which that worker drains itself.
        while (FindWork() is { } job)
        {
            _stats.JobRun();
            job.Execute(this);
        }

        _pool.Options.OnWorkerExit?.Invoke(Index);
    }

    /// <summary>See <see cref="ThreadContext.WaitUninterruptibly"/>.</summary>
    private ThreadInterruptedException? WaitUninterruptibly<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition => Context.WaitUninterruptibly(ref condition, _spinCount);

    /// <summary>
    /// Runs this pool's work until <paramref name="condition"/> is met: own deque first, then
    /// stealing, then the injector ring; spins for the pool's budget when there is nothing to
    /// do, then sleeps where both the condition and new work can wake it.
    /// </summary>
    internal void WaitUntil<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        if (HasRecordedFrames)
        {
            PromoteAllRecorded();
        }

        int idleRounds = 0;
        bool searching = false;
        bool gaveUpSearch = false;
        while (!condition.IsMet())
        {
            if (FindWork() is { } job)
            {
                if (searching)
                {
                    searching = false;
                    StopSearchingToRun();
                }

                gaveUpSearch = false;
                _heartbeatCountdown = 0; // a new piece of work: its first promotion attempt reads the clock
                _stats.JobRun();
                job.Execute(this);
                idleRounds = 0;
            }
            else if (!searching)
            {
                searching = true;
                _sleepers.StartSearching();
                _stats.Idle();
            }
            else if (idleRounds < _spinCount)
            {
                SpinPolicy.Pause(idleRounds++);
            }
            else
            {
                _sleepers.StopSearching();
                searching = Sleep(ref condition);
                gaveUpSearch = !searching;
                idleRounds = 0;
            }
        }

        if (searching)
        {
            StopSearchingToRun();
        }
        else if (gaveUpSearch && _pool.HasVisibleWork())
        {
            // We stopped searching and then left without parking (the condition was met):
            // producers that saw us counted as a searcher skipped their wake (see Sleepers).
            _sleepers.NotifyWork();
        }
    }

    /// <summary>
    /// A searcher found something to run. If it was the last searcher and more work is visible,
    /// wake a sleeper to search in its place (the decrement's fence orders the look after it;
    /// see <see cref="Sleepers"/>).
    /// </summary>
    private void StopSearchingToRun()
    {
        if (_sleepers.StopSearching() && _pool.HasVisibleWork())
        {
            _sleepers.NotifyWork();
        }
    }

    /// <summary>Sleeps until new work, the condition or shutdown wakes it. True when woken with a searching token.</summary>
    private bool Sleep<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        _sleepers.Announce(this);
        try
        {
            if (condition.TryRegister(Context))
            {
                try
                {
                    // The last look, after the announcement's fences (see Sleepers). Shutdown needs
                    // no check here: the main loop's condition refuses to register once it is set,
                    // and Dispose unparks every worker after setting it.
                    SchedulePoint.Hit();
                    if (!_pool.HasVisibleWork() && !HasInbox)
                    {
                        _stats.Sleep();
                        Context.Parker.Park();
                    }
                }
                finally
                {
                    condition.Unregister(Context);
                }
            }
        }
        catch (ThreadInterruptedException)
        {
            // Interrupted while parked: leave the sleeping set as if woken (handing back the
            // searching token a waker may have given), so the counts stay exact, then let the
            // interrupt go on.
            if (_sleepers.Withdraw(this))
            {
                StopSearchingToRun();
            }

            throw;
        }

        return _stats.Woke(_sleepers.Withdraw(this));
    }

    /// <summary>Broadcast parts for this worker, own deque, then the other workers' deques, then the injector ring.</summary>
    internal Job? FindWork()
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


        Worker[] workers = _pool.Workers;
        if (workers.Length > 1)
        {
            // A random first victim spreads thieves over the pool instead of all hitting worker 0.
            uint seed = _victimSeed;
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            _victimSeed = seed;
            int start = (int)(seed % (uint)workers.Length);
            for (int i = 0; i < workers.Length; i++)
            {
                Worker victim = workers[(start + i) % workers.Length];
                if (victim != this && !victim.Deque.LooksEmpty && StealFrom(victim) is { } stolen)
                {
                    return stolen;
                }
            }
        }

        return _pool.Injector.TryDequeue() is { } injected ? CountInjected(injected) : null;
    }

    /// <summary>Steals from <paramref name="victim"/>, counting the attempt.</summary>
    private Job? StealFrom(Worker victim)
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
}
