using System.Diagnostics;

namespace WorkPool;

// The watch: late sharing while every idle worker sleeps. An offer (Participant.Offer.cs) is claimed
// by an idle participant that has seen it open for ShareAfter; searchers look at offers as they
// search, but a sleeper does not look at anything. So while some offer is open and no one
// searches, one sleeping worker, the watcher, sleeps with a timeout (WatchPeriod) and, each time
// it wakes, looks at the offers again. The races are named in docs/design/offers.md.
//
// States of Counters.Watch: None (nobody watches), Requested (an owner published an offer while
// everyone slept: it woke a sleeper, and the next worker to go to sleep with an offer open takes
// the watch), Watching (one worker holds it: it sleeps with a timeout while offers are open).
//
// No offer goes unwatched. An owner publishes its offer with a full fence, then reads the line
// (Searching, Sleeping, Watch). A worker going to sleep has announced itself (full fences), then
// takes its last look at the offers; a watcher that gives the watch up (a CAS, a full fence)
// looks again afterwards. Whichever side reads first, the other's write comes after the read,
// so either the owner sees a searcher (who looks at offers before it sleeps), a sleeper with no
// watch (it requests one) or the watch held (the watcher looks again within WatchPeriod), or
// the worker sees the offer in its last look.
internal sealed partial class Sleepers
{
    internal const int WatchNone = 0;
    internal const int WatchRequested = 1;
    internal const int Watching = 2;

    /// <summary>
    /// Owner, after publishing an offer with a full fence: if nobody watches, request the watch
    /// and wake a sleeper if nobody searches (<see cref="NotifyWork"/>). The next worker to go
    /// to sleep takes a requested watch, and a requested watch counts as work to wake a sleeper
    /// for wherever a searcher stops or a waker hands its token back
    /// (<see cref="HasWorkToWakeFor"/>), so the request is not lost when a searcher (or a waker's
    /// token) hid the sleepers from the owner. A plain read of the line that
    /// <see cref="AnyIdle"/> reads on every Join, so usually no cache miss; a held watch costs
    /// nothing more.
    /// </summary>
    internal void EnsureOffersWatched()
    {
        SchedulePoint.Hit();
        if (Volatile.Read(ref _counters.Watch) == WatchNone
            && Interlocked.CompareExchange(ref _counters.Watch, WatchRequested, WatchNone) == WatchNone)
        {
            NotifyWork();
        }
    }

    /// <summary>
    /// Work visible to a searcher that stops, a waker that hands its token back, or a worker
    /// leaving its search: a job in a ring or deque, or a requested watch that no sleeper has
    /// taken yet (R33). A sleeper's own last look checks jobs only: it takes a requested watch.
    /// </summary>
    internal bool HasWorkToWakeFor() => _pool.HasVisibleWork() || Volatile.Read(ref _counters.Watch) == WatchRequested;

    /// <summary>
    /// How many watch periods in a row without an open offer the watcher keeps the watch before
    /// it gives it up and sleeps untimed. Small work offered back to back (short Installs from
    /// outside) then finds the watch held instead of waking a sleeper for every offer, and an
    /// idle pool stops waking within about this many milliseconds.
    /// </summary>
    internal const int WatchLinger = 16;

    /// <summary>
    /// The watcher stops being idle (it found work to run, or its wait is over): busy, it looks at
    /// no offer, and an owner that sees the watch held requests none, so it gives the watch up.
    /// The exchange is a full fence before its look at the offers, as in <see cref="KeepsWatch"/>:
    /// either an owner reads the watch after it (and requests it), or this look sees the offer
    /// and requests the watch for it (R39).
    /// </summary>
    internal void GiveUpWatch(ref bool isWatcher, ref int idlePeriods)
    {
        Debug.Assert(isWatcher && Volatile.Read(ref _counters.Watch) == Watching, "Only the watcher gives the watch up.");
        isWatcher = false;
        idlePeriods = 0;
        SchedulePoint.Hit();
        Interlocked.Exchange(ref _counters.Watch, WatchNone);
        if (_pool.AnyOpenOffer())
        {
            EnsureOffersWatched();
        }
    }

    /// <summary>
    /// Participant, after its announcement, deciding how to sleep: true when it holds the watch (it
    /// sleeps with a timeout). It takes the watch when an owner requested it or an offer is open
    /// and nobody holds it; the watcher gives it up after <see cref="WatchLinger"/> periods in a
    /// row without an open offer, then looks once more.
    /// </summary>
    internal bool KeepsWatch(ref bool isWatcher, ref int idlePeriods)
    {
        bool offers = _pool.AnyOpenOffer();
        if (isWatcher)
        {
            Debug.Assert(Volatile.Read(ref _counters.Watch) == Watching, "Only the watcher gives the watch up.");
            idlePeriods = offers ? 0 : idlePeriods + 1;
            if (idlePeriods < WatchLinger)
            {
                return true;
            }

            // Give the watch up, then look again: an owner that saw it held did not request it.
            SchedulePoint.Hit();
            Interlocked.Exchange(ref _counters.Watch, WatchNone);
            isWatcher = false;
            offers = _pool.AnyOpenOffer();
        }

        SchedulePoint.Hit();
        int watch = Volatile.Read(ref _counters.Watch);
        if (watch == Watching || (watch == WatchNone && !offers))
        {
            return false;
        }

        isWatcher = Interlocked.CompareExchange(ref _counters.Watch, Watching, watch) == watch;
        idlePeriods = 0;
        return isWatcher;
    }
}
