using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// Which workers of a pool are searching for work and which are asleep, so that new
/// work wakes a sleeper only when nobody is already searching. A busy pool's push does one read
/// of one cache line here and no syscall; a pool fed by one producer keeps one worker searching
/// and lets the others sleep, instead of waking one per job.
/// </summary>
/// <remarks>
/// <para>States of a worker: running jobs, searching (counted in <c>Searching</c>), asleep (counted
/// in <c>Sleeping</c>, <c>SleepState</c> = Sleeping), or woken (<c>SleepState</c> = Woken: a waker
/// took it out of <c>Sleeping</c> and handed it a searching token).</para>
/// <para>No lost wake-ups. A producer publishes its job, fences, then calls
/// <see cref="NotifyWork"/>, which reads (volatile) <c>Searching</c> and <c>Sleeping</c>, claims the
/// single waking token (CAS <c>Searching</c> 0→1) and scans for a Sleeping state. A worker that
/// stops searching to sleep decrements <c>Searching</c>, increments <c>Sleeping</c>, sets its state
/// to Sleeping (each an interlocked operation, a full fence), then takes a last look for work
/// before it parks. Whichever of the producer's reads comes first, the write it missed comes
/// after it, and so does the worker's last look, which then sees the job.</para>
/// <para>Every way of leaving the searching state re-checks, because producers that saw the
/// searcher counted skipped their own wake: a searcher that finds work, if it was the last one
/// and more work is visible, calls <see cref="NotifyWork"/> (two jobs published while one worker
/// searched get two workers); a worker whose wait ends while it was giving up its search does the
/// same (<see cref="Participant.WaitUntil"/>); and a waker whose scan finds nobody in the Sleeping
/// state (a sleeper between its count and its state write) hands the token back and looks
/// again (<see cref="WakeOne"/>). Each re-check comes after a decrement of <c>Searching</c>, whose
/// fence pairs with the producer's publish-fence-read.</para>
/// <para>Join halves reach a deque only by promotion (see <see cref="JoinFrame"/>), which a
/// busy worker performs because it saw an idle one (<see cref="AnyIdle"/>), and it publishes
/// them like the injector does: push, full fence, <see cref="NotifyWork"/>.</para>
/// </remarks>
internal sealed partial class Sleepers
{
    internal const int Awake = 0;
    internal const int Sleeping = 1;
    internal const int Woken = 2;

    // The counters and the watch on one padded line: producers read the counters together on
    // every push, Joins read them on every Join, and they change only when workers go idle or wake.
    [StructLayout(LayoutKind.Explicit, Size = CacheLine.Size * 2)]
    private struct Counters
    {
        [FieldOffset(CacheLine.Size)]
        public int Searching;

        [FieldOffset(CacheLine.Size + sizeof(int))]
        public int Sleeping;

        /// <summary>Who watches the participants' offers while they sleep (see Sleepers.Watch.cs).</summary>
        [FieldOffset(CacheLine.Size + (2 * sizeof(int)))]
        public int Watch;

        /// <summary>Participants idle in an isolated wait: they help with deques and offers, not with the ring.</summary>
        [FieldOffset(CacheLine.Size + (3 * sizeof(int)))]
        public int Helping;
    }

    private readonly WorkStealingPool _pool;
    private readonly Participant[] _workers;
    private Counters _counters;

    internal Sleepers(WorkStealingPool pool, Participant[] workers)
    {
        _pool = pool;
        _workers = workers;
    }

    /// <summary>Number of workers asleep.</summary>
    internal int SleepingCount => Volatile.Read(ref _counters.Sleeping);

    /// <summary>Number of workers searching for work.</summary>
    internal int SearchingCount => Volatile.Read(ref _counters.Searching);

    /// <summary>
    /// Whether some worker is searching or asleep: a Join then offers work to it (see
    /// <see cref="JoinFrame"/>). Two plain reads of a line that changes only when workers go
    /// idle or wake, so in a busy pool it stays in every reader's cache. A stale answer costs
    /// one promotion too many or one too late, never correctness.
    /// </summary>
    internal bool AnyIdle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (Volatile.Read(ref _counters.Searching) | Volatile.Read(ref _counters.Sleeping) | Volatile.Read(ref _counters.Helping)) != 0;
    }

    /// <summary>
    /// A participant in an isolated wait (its own stolen half, scope or broadcast) has nothing to
    /// run: it counts as idle for promotions (<see cref="AnyIdle"/>), so busy participants share
    /// halves it can help with, but not as a searcher, because it does not take ring jobs: a
    /// producer that sees only helpers still wakes a sleeper.
    /// </summary>
    internal void StartHelping() => Interlocked.Increment(ref _counters.Helping);

    /// <summary>The helper found work, its wait ended, or it parks on its condition.</summary>
    internal void StopHelping()
    {
        int helping = Interlocked.Decrement(ref _counters.Helping);
        Debug.Assert(helping >= 0, "More helpers stopped than started.");
    }

    /// <summary>
    /// Whether new work should wake a sleeper: some worker sleeps and none searches (a searcher
    /// finds the work itself). Plain reads: callers whose job is never lost without the wake
    /// (it is on their own deque) use this to skip the fence of a full notification.
    /// </summary>
    internal bool ShouldWake
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _counters.Searching) == 0 && Volatile.Read(ref _counters.Sleeping) != 0;
    }

    /// <summary>Participant: it found nothing to do and starts searching.</summary>
    internal void StartSearching() => Interlocked.Increment(ref _counters.Searching);

    /// <summary>Participant: it stops searching. True when it was the last searcher.</summary>
    internal bool StopSearching()
    {
        int searching = Interlocked.Decrement(ref _counters.Searching);
        Debug.Assert(searching >= 0, "More searchers stopped than started.");
        return searching == 0;
    }

    /// <summary>
    /// Producer, after publishing a job (and, for the injector, a full fence): wake one sleeper
    /// if there is one and no worker is searching.
    /// </summary>
    internal void NotifyWork()
    {
        SchedulePoint.Hit();
        if (Volatile.Read(ref _counters.Searching) == 0 && Volatile.Read(ref _counters.Sleeping) > 0)
        {
            WakeOne();
        }
    }

    private void WakeOne()
    {
        // One waker at a time: the token it claims becomes the woken worker's searching token.
        while (Interlocked.CompareExchange(ref _counters.Searching, 1, 0) == 0)
        {
            // Workers asleep in their main loop first: a worker asleep in an isolated wait takes
            // ring work only when nobody else is left to (see Participant.WaitUntil).
            if (TryWakeAny(isolated: false) || TryWakeAny(isolated: true))
            {
                return;
            }

            // Nobody in the Sleeping state: hand the token back. Producers that published while
            // we held it skipped their wake, and a worker may have gone to sleep after our scan
            // passed it with its last look before their publish: look again after the decrement.
            if (!HandBackTokenAndLook())
            {
                return;
            }
        }
    }

    /// <summary>The holder of the waking token takes the first Sleeping worker (of the kind asked) out of the sleeping set and unparks it.</summary>
    private bool TryWakeAny(bool isolated)
    {
        foreach (Participant worker in _workers)
        {
            SchedulePoint.Hit();
            if (worker.SleepsIsolated == isolated && Interlocked.CompareExchange(ref worker.SleepState.Value, Woken, Sleeping) == Sleeping)
            {
                SchedulePoint.Hit();
                Interlocked.Decrement(ref _counters.Sleeping);
                Volatile.Write(ref worker.WokenAt, Stopwatch.GetTimestamp());
                worker.Context.Parker.Unpark();
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A waker gives back the searching token it claimed without waking anyone. True when it
    /// was the last token, someone sleeps and work is visible: the caller must try again (the
    /// decrement's fence orders this look after it, pairing with producers' publish-fence-read).
    /// </summary>
    private bool HandBackTokenAndLook()
    {
        SchedulePoint.Hit();
        return Interlocked.Decrement(ref _counters.Searching) == 0
            && Volatile.Read(ref _counters.Sleeping) > 0
            && HasWorkToWakeFor();
    }

    /// <summary>
    /// Wakes <paramref name="worker"/> if it sleeps, after a task was delivered to its inbox (a
    /// CAS, so a full fence before the read of its state here): either this read sees it
    /// Sleeping, or its announcement came later and its last look sees the inbox.
    /// </summary>
    internal void WakeWorker(Participant worker)
    {
        SchedulePoint.Hit();
        if (Volatile.Read(ref worker.SleepState.Value) != Sleeping)
        {
            return;
        }

        // The searching token the woken worker will give back, as WakeOne hands over.
        Interlocked.Increment(ref _counters.Searching);
        SchedulePoint.Hit();
        if (Interlocked.CompareExchange(ref worker.SleepState.Value, Woken, Sleeping) == Sleeping)
        {
            SchedulePoint.Hit();
            Interlocked.Decrement(ref _counters.Sleeping);
            Volatile.Write(ref worker.WokenAt, Stopwatch.GetTimestamp());
            worker.Context.Parker.Unpark();
            return;
        }

        // Another waker got it first, or it withdrew on its own: hand the token back, and look
        // again as every searcher that stops does (producers that saw the token skipped a wake).
        if (HandBackTokenAndLook())
        {
            NotifyWork();
        }
    }

    /// <summary>Participant, after it stopped searching: announce that it is about to sleep. Must be followed by a last look for work.</summary>
    internal void Announce(Participant worker)
    {
        // Count first, state second: a waker that sees the count but not yet the state finds no
        // one to wake, and then this worker's last look (after the state write) sees the job.
        SchedulePoint.Hit();
        Interlocked.Increment(ref _counters.Sleeping);
        SchedulePoint.Hit();
        int previous = Interlocked.Exchange(ref worker.SleepState.Value, Sleeping);
        Debug.Assert(previous == Awake, "A worker announces sleep once.");
    }

    /// <summary>
    /// Participant, after its last look or after waking: leave the sleeping set. True when a waker
    /// already took it out and handed it a searching token (it must search, then stop searching).
    /// </summary>
    internal bool Withdraw(Participant worker)
    {
        SchedulePoint.Hit();
        int state = Interlocked.Exchange(ref worker.SleepState.Value, Awake);
        if (state == Sleeping)
        {
            Interlocked.Decrement(ref _counters.Sleeping);
            return false;
        }

        Debug.Assert(state == Woken, "Only a waker changes a Sleeping state.");
        return true;
    }

    /// <summary>Shutdown: unpark every worker, asleep or not (each withdraws itself; stale permits are harmless).</summary>
    internal void WakeAll()
    {
        foreach (Participant worker in _workers)
        {
            worker.Context.Parker.Unpark();
        }
    }
}
