using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// One worker thread of a <see cref="WorkStealingPool"/>: its deque, its thread context, its
/// sleep state, and the loops it runs (the main loop, and the wait loop of a Join whose second
/// half was stolen or of an Install into another pool).
/// </summary>
internal sealed class Worker
{
    private readonly WorkStealingPool _pool;
    private readonly Sleepers _sleepers;
    private readonly int _spinBudget;
    private uint _victimSeed;

    /// <summary>Awake, Sleeping or Woken (see <see cref="Sleepers"/>); padded because wakers write it.</summary>
    internal PaddedInt32 SleepState;

    internal Worker(WorkStealingPool pool, Sleepers sleepers, int index, int dequeCapacity, int spinBudget)
    {
        _pool = pool;
        _sleepers = sleepers;
        Index = index;
        Deque = new WorkDeque(dequeCapacity);
        Context = new ThreadContext(this);
        _spinBudget = spinBudget;
        _victimSeed = (uint)index * 0x9E3779B9u + 1;
    }

    internal WorkStealingPool Pool => _pool;

    internal int Index { get; }

    internal WorkDeque Deque { get; }

    internal ThreadContext Context { get; }

    /// <summary>The worker's thread entry point.</summary>
    internal void Run()
    {
        Context.AttachToCurrentThread();
        _pool.Options.OnWorkerStart?.Invoke(Index);

        var shutdown = new ShutdownRequested(_pool);
        WaitUntil(ref shutdown);

        // Shutdown was observed before this scan, and Dispose set it only after every outside
        // caller had finished publishing, so this sees every injected job. Jobs that running
        // jobs push later land on their own worker's deque, which that worker drains itself.
        while (FindWork() is { } job)
        {
            job.Execute();
        }

        _pool.Options.OnWorkerExit?.Invoke(Index);
    }

    /// <summary>
    /// Join on this worker: push <paramref name="b"/>, run <paramref name="a"/>, pop
    /// <paramref name="b"/> back and run it inline, or, if it was stolen, run other work until
    /// the thief finishes it.
    /// </summary>
    internal void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "Join runs on the worker's own thread.");
        ThreadContext context = Context;
        int depth = context.Depth++;
        WorkJob<TB> jobB = JobSlots<TB>.At(context, depth);
        jobB.Work = b;
        jobB.Arm();

        if (!Deque.TryPush(jobB))
        {
            jobB.Disarm();
            jobB.ClearWork();
            context.Depth = depth;
            RunBothInline(ref a, ref b);
            return;
        }

        _sleepers.NotifyWork();

        ExceptionDispatchInfo? errorA = null;
        try
        {
            a.Run();
        }
#pragma warning disable CA1031 // Join's contract: B is still awaited, then A's exception is rethrown.
        catch (Exception e)
#pragma warning restore CA1031
        {
            errorA = ExceptionDispatchInfo.Capture(e);
        }

        ExceptionDispatchInfo? errorB = null;
        Job? popped = Deque.TryPop();
        if (popped == jobB)
        {
            // Nobody stole B: run the caller's own copy, no latch involved.
            jobB.Disarm();
            try
            {
                b.Run();
            }
#pragma warning disable CA1031 // See above: captured, rethrown after both halves finished.
            catch (Exception e)
#pragma warning restore CA1031
            {
                errorB = ExceptionDispatchInfo.Capture(e);
            }
        }
        else
        {
            errorB = TakeBack(jobB, popped, ref b);
        }

        jobB.ClearWork();
        context.Depth = depth;
        if (errorA is not null || errorB is not null)
        {
            ThrowJoinFailure(errorA, errorB);
        }
    }

    /// <summary>
    /// Join's slow path: B is not at the bottom of the deque. Either other jobs are there (jobs
    /// pushed after B and left by their pusher, or, when B itself was already taken, older jobs
    /// of outer Joins): run them until B comes back or the deque is empty. Or B was taken, by a
    /// thief or by this worker itself while it waited for something else: help with other work
    /// until B is done, then copy its result back.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ExceptionDispatchInfo? TakeBack<TB>(WorkJob<TB> jobB, Job? popped, ref TB b)
        where TB : struct, IWork
    {
        while (popped is not null)
        {
            if (popped == jobB)
            {
                jobB.Disarm();
                return RunCaptured(ref b);
            }

            popped.Execute();
            popped = Deque.TryPop();
        }

        var done = new JobDone(jobB);
        WaitUntil(ref done);
        b = jobB.Work;
        return jobB.TakeError();
    }

    /// <summary>
    /// Runs this pool's work until <paramref name="condition"/> is met: own deque first, then
    /// stealing, then the injector ring; spins for the pool's budget when there is nothing to
    /// do, then sleeps where both the condition and new work can wake it.
    /// </summary>
    internal void WaitUntil<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        int idleRounds = 0;
        bool spinning = false;
        bool gaveUpSearch = false;
        while (!condition.IsMet())
        {
            if (FindWork() is { } job)
            {
                if (spinning)
                {
                    spinning = false;
                    StopSpinningToRun();
                }

                gaveUpSearch = false;
                job.Execute();
                idleRounds = 0;
            }
            else if (!spinning)
            {
                spinning = true;
                _sleepers.StartSpinning();
            }
            else if (idleRounds < _spinBudget)
            {
                SpinPolicy.Pause(idleRounds++);
            }
            else
            {
                _sleepers.StopSpinning();
                spinning = Sleep(ref condition);
                gaveUpSearch = !spinning;
                idleRounds = 0;
            }
        }

        if (spinning)
        {
            StopSpinningToRun();
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
    private void StopSpinningToRun()
    {
        if (_sleepers.StopSpinning() && _pool.HasVisibleWork())
        {
            _sleepers.NotifyWork();
        }
    }

    /// <summary>Sleeps until new work, the condition or shutdown wakes it. True when woken with a searching token.</summary>
    private bool Sleep<TCondition>(ref TCondition condition)
        where TCondition : struct, IWakeCondition
    {
        _sleepers.Announce(this);
        if (condition.TryRegister(Context))
        {
            // The last look, after the announcement's fences (see Sleepers). Shutdown needs no
            // check here: the main loop's condition refuses to register once it is set, and
            // Dispose unparks every worker after setting it.
            if (!_pool.HasVisibleWork())
            {
                Context.Parker.Park();
            }

            condition.Unregister(Context);
        }

        return _sleepers.Withdraw(this);
    }

    /// <summary>Own deque, then the other workers' deques, then the injector ring.</summary>
    internal Job? FindWork()
    {
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
                if (victim != this && !victim.Deque.LooksEmpty && victim.Deque.TrySteal() is { } stolen)
                {
                    return stolen;
                }
            }
        }

        return _pool.Injector.TryDequeue();
    }

    private static void RunBothInline<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        ExceptionDispatchInfo? errorA = RunCaptured(ref a);
        ExceptionDispatchInfo? errorB = RunCaptured(ref b);
        if (errorA is not null || errorB is not null)
        {
            ThrowJoinFailure(errorA, errorB);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExceptionDispatchInfo? RunCaptured<T>(ref T work)
        where T : struct, IWork
    {
        try
        {
            work.Run();
            return null;
        }
#pragma warning disable CA1031 // Captured for the waiting thread; see Join.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>
    /// One failed half: rethrow its exception with its original stack trace. Both failed: an
    /// <see cref="AggregateException"/> holding A's exception, then B's.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [StackTraceHidden]
    internal static void ThrowJoinFailure(ExceptionDispatchInfo? errorA, ExceptionDispatchInfo? errorB)
    {
        if (errorA is not null && errorB is not null)
        {
            throw new AggregateException(errorA.SourceException, errorB.SourceException);
        }

        (errorA ?? errorB)!.Throw();
    }
}
