namespace WorkPool;

internal sealed partial class Participant
{
    /// <summary>
    /// A participant's waiter policy (see <see cref="WaitLoop"/>): while it waits it runs the
    /// pool's work (its own deque, then stealing, then the injector ring when it searches rings,
    /// then the other participants' offers), spins for the pool's spin count, then sleeps in the
    /// pool's sleeping set (a worker) or parks on the condition alone (a guest, R40).
    /// </summary>
    private struct Waiter(Participant participant, bool searchesRings) : IWaiter
    {
        private readonly Participant _participant = participant;

        // Idle (counted as a searcher or a helper), whether the wait takes ring work, and whether
        // it stopped searching without parking (producers may then have skipped a wake-up).
        private bool _idle;
        private bool _searchesRings = searchesRings;
        private bool _gaveUpSearch;

        public WaitStep TryRunOne(int rounds)
        {
            Participant p = _participant;
            Job? job = p.FindWork(takeInjected: _searchesRings);
            if (job is null && _idle && (rounds & (OfferCheckPeriod - 1)) == 0)
            {
                // Within its search budget a searcher adopts new candidates; past it, it only
                // follows the one it has (or a watcher's one look per period), so a stream of
                // short-lived offers cannot keep it from sleeping.
                job = p.TryClaimOffer(adopt: rounds < p._spinCount || p._mayAdoptOffer);
                p._mayAdoptOffer = false;
            }

            if (job is not null)
            {
                if (p._isWatcher)
                {
                    p._sleepers.GiveUpWatch(ref p._isWatcher, ref p._watchIdlePeriods);
                }

                if (_idle)
                {
                    _idle = false;
                    p.StopIdle(_searchesRings);
                }

                _gaveUpSearch = false;

                p.StartNewWork();
                p._stats.JobRun();
                job.Run(p);
                return WaitStep.Ran;
            }

            if (!_idle)
            {
                _idle = true;
                p.StartIdle(_searchesRings);
                p._stats.Idle();
                return WaitStep.Looked;
            }

            return WaitStep.Nothing;
        }

        // An offer seen but not yet old enough to claim keeps this one idle and looking: it is
        // either retracted (the candidate goes) or claimable within ShareAfter.
        public readonly bool KeepsSpinning(int rounds) => rounds < _participant._spinCount || _participant._offerCandidate is not null;

        public int Sleep<TCondition>(ref TCondition condition)
            where TCondition : struct, IWakeCondition
        {
            Participant p = _participant;
            if (p.IsGuest)
            {
                // A guest never sleeps in the sleeping set (nobody wakes it for work): it parks
                // until the condition is met, looking again every watch period (R40), like a
                // watcher: once at the offers and deques, then it parks again.
                _idle = false;
                p.StopIdle(_searchesRings);
                bool timedOut = p.ParkOnCondition(ref condition);
                p._mayAdoptOffer = timedOut;
                return timedOut ? p.OneLookAfterPark() : 0;
            }

            if (_searchesRings)
            {
                p._sleepers.StopSearching();
            }
            else
            {
                p._sleepers.StopHelping();
            }

            p._watchTimedOut = false;
            bool woken = p.Sleep(ref condition, lookAtRings: _searchesRings);
            // A searcher that leaves without a token re-checks on the way out (producers that
            // saw it skipped their wakes); a helper hid nothing from them.
            _gaveUpSearch = !woken && _searchesRings;
            // Woken with a searching token: a producer needs a worker for ring work, and an
            // isolated sleeper is woken only when no other sleeper is left; it searches the
            // rings too from now on.
            _searchesRings |= woken;
            _idle = woken;
            // A watcher back from its watch period looks at the offers once (the next round),
            // then only keeps searching while it watches the candidate it adopted then.
            p._mayAdoptOffer = p._watchTimedOut;
            return p._watchTimedOut ? p.OneLookAfterPark() : 0;
        }

        public readonly void Finish()
        {
            Participant p = _participant;
            p._offerCandidate = null;
            if (p._isWatcher)
            {
                p._sleepers.GiveUpWatch(ref p._isWatcher, ref p._watchIdlePeriods);
            }

            if (_idle)
            {
                p.StopIdle(_searchesRings);
            }
            else if (_gaveUpSearch && p._sleepers.HasWorkToWakeFor())
            {
                // We stopped searching and then left without parking (the condition was met):
                // producers that saw us counted as a searcher skipped their wake (R4, see Sleepers).
                p._sleepers.NotifyWork();
            }
        }
    }
}
