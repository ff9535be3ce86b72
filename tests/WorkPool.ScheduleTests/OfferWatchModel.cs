namespace WorkPool.ScheduleTests;

/// <summary>What a copy of the offer and watch protocol breaks (see <see cref="OfferWatchModel"/>).</summary>
internal enum OfferMutation
{
    /// <summary>The protocol as Participant.Offer.cs and Sleepers.Watch.cs have it.</summary>
    None,

    /// <summary>Offer publishes the open word with a release store, not a full fence (Interlocked.Exchange): its reads of the idle line may pass the store (R33).</summary>
    PublishWithReleaseStore,

    /// <summary>Offer publishes and never calls EnsureOffersWatched: nobody is woken or asked to watch (R33).</summary>
    SkipEnsureOffersWatched,

    /// <summary>KeepsWatch gives the watch up (no offer open for its linger) and does not look at the offers again (R33).</summary>
    KeepsWatchWithoutSecondLook,

    /// <summary>The owner retracts with a read, then a plain store, instead of a CAS against the claim (R30).</summary>
    RetractWithPlainStore,
}

/// <summary>
/// The offer and watch protocol transcribed onto the store-buffer model
/// (<see cref="StoreBufferMemory"/>), for mutants the real engine cannot be switched to: one
/// owner that makes outermost Joins (Participant.Join, Participant.Offer.cs: Offer, EnsureOffersWatched,
/// TryRetractOffer, the wait for a claimed half) and one worker idling as in Participant.WaitUntil
/// and Worker.Sleep with a spin count of 1 and ShareAfter 0 (look at offers and claim, stop
/// searching, announce, KeepsWatch, park timed or untimed on the real <see cref="Parker"/>,
/// withdraw), with the waker's path (NotifyWork, WakeOne). Same schedule points as the real
/// code, plus one per shared access. Keep it in step with those files: the unmutated model must
/// pass every scenario (<see cref="HandshakeMutantTests"/> checks it does).
/// </summary>
internal sealed class OfferWatchModel
{
    // Locations in the modeled memory.
    private const int OfferWord = 0;
    private const int Searching = 1;
    private const int Sleeping = 2;
    private const int Watch = 3;
    private const int SleepState = 4;
    private const int OfferJobDone = 5;
    private const int Stop = 6;

    private const long OfferOpen = 1;
    private const long OfferClaimed = 2;
    private const long OfferStateMask = 3;
    private const long OfferSequenceStep = 4;

    private readonly StoreBufferMemory _memory = new(7);
    private readonly OfferMutation _mutation;
    private readonly Parker _workerParker = new();
    private readonly int _watchLinger;
    private long _ownerWord;
    private bool _isWatcher;
    private int _watchIdlePeriods;

    /// <param name="mutation">The step to break, if any.</param>
    /// <param name="watchLinger">
    /// <see cref="Sleepers.WatchLinger"/>: watch periods without an open offer before the
    /// watcher gives the watch up. The argument does not depend on its value; a small one lets
    /// a search reach the give-up in a few steps.
    /// </param>
    internal OfferWatchModel(OfferMutation mutation, int watchLinger = 1)
    {
        _mutation = mutation;
        _watchLinger = watchLinger;
        _memory.Store(OfferJobDone, 1);
        _memory.Fence();
    }

    /// <summary>How often each Join's B ran, and where (plain: one thread runs at a time).</summary>
    internal List<string>[] BRuns { get; } = [[], []];

    /// <summary>
    /// The owner: <paramref name="joins"/> outermost Joins in a row. Join i's A waits until its
    /// B ran when <paramref name="aWaitsForB"/>[i] (only a claim can end it), else takes one
    /// schedule point. Then it stops the worker.
    /// </summary>
    internal void Owner(bool[] aWaitsForB)
    {
        for (int join = 0; join < aWaitsForB.Length; join++)
        {
            Offer();
            if (aWaitsForB[join])
            {
                int j = join;
                Execution.SpinUntil(() => BRuns[j].Count > 0);
            }
            else
            {
                SchedulePoint.Hit();
            }

            if (TryRetract())
            {
                BRuns[join].Add("owner (retracted)");
            }
            else
            {
                // Claimed: wait for the claimer (Participant.WaitForClaimedOffer).
                Execution.SpinUntil(() => _memory.Load(OfferJobDone) != 0);
            }
        }

        // Shutdown, as Dispose: flag, fence, unpark.
        _memory.Exchange(Stop, 1);
        _workerParker.Unpark();
    }

    /// <summary>The worker's loop: search (one look at the offers), then sleep, until stopped.</summary>
    internal void Worker()
    {
        AtomicAdd(Searching, 1); // StartSearching
        while (true)
        {
            // An idle round that looks at the offers (TryClaimOffer; ShareAfter is 0).
            SchedulePoint.Hit();
            long word = _memory.Load(OfferWord);
            if ((word & OfferStateMask) == OfferOpen)
            {
                SchedulePoint.Hit();
                if (_memory.CompareExchange(OfferWord, word - OfferOpen + OfferClaimed, word) == word)
                {
                    StopSearchingToRun();
                    int join = (int)(word / OfferSequenceStep) - 1;
                    BRuns[join].Add("worker (claimed)");
                    SchedulePoint.Hit();
                    _memory.Exchange(OfferJobDone, 1); // the offer job's Complete
                    AtomicAdd(Searching, 1); // idle again
                    continue;
                }
            }

            // Out of spin budget: Sleep.
            AtomicAdd(Searching, -1);
            SchedulePoint.Hit();
            AtomicAdd(Sleeping, 1); // Announce: count first,
            SchedulePoint.Hit();
            _memory.Exchange(SleepState, Sleepers.Sleeping); // state second
            SchedulePoint.Hit();
            bool stop = _memory.Load(Stop) != 0; // ShutdownRequested's registration
            if (!stop)
            {
                // The last look: KeepsWatch, then the jobs (there are none in the model).
                if (KeepsWatch())
                {
                    _workerParker.Park(SharingClock.WatchPeriodMilliseconds);
                }
                else
                {
                    _workerParker.Park();
                }
            }

            // Withdraw.
            SchedulePoint.Hit();
            long state = Exchange(SleepState, Sleepers.Awake);
            bool woken = state == Sleepers.Woken;
            if (!woken)
            {
                AtomicAdd(Sleeping, -1);
            }

            if (stop || _memory.Load(Stop) != 0)
            {
                if (woken)
                {
                    AtomicAdd(Searching, -1);
                }

                return;
            }

            if (!woken)
            {
                AtomicAdd(Searching, 1); // StartIdle; a woken worker's token is its count
            }
        }
    }

    /// <summary>After the run: the idle line back to rest, no offer open.</summary>
    internal void AssertAtRest()
    {
        Assert.Equal(0, _memory.Load(Searching));
        Assert.Equal(0, _memory.Load(Sleeping));
        Assert.NotEqual(OfferOpen, _memory.Load(OfferWord) & OfferStateMask);
    }

    private void Offer()
    {
        SchedulePoint.Hit();
        _memory.Store(OfferJobDone, 0); // the offer job armed (plain, before the publication)
        long word = (_ownerWord & ~OfferStateMask) + OfferSequenceStep + OfferOpen;
        _ownerWord = word;
        if (_mutation == OfferMutation.PublishWithReleaseStore)
        {
            _memory.Store(OfferWord, word);
        }
        else
        {
            _memory.Exchange(OfferWord, word);
        }

        if (_mutation != OfferMutation.SkipEnsureOffersWatched)
        {
            EnsureOffersWatched();
        }

        _memory.EndOperation();
    }

    private void EnsureOffersWatched()
    {
        SchedulePoint.Hit();
        if (_memory.Load(Watch) == Sleepers.WatchNone
            && _memory.CompareExchange(Watch, Sleepers.WatchRequested, Sleepers.WatchNone) == Sleepers.WatchNone)
        {
            NotifyWork();
        }
    }

    /// <summary>Sleepers.HasWorkToWakeFor: no job is ever visible in the model, a requested watch is.</summary>
    private bool HasWorkToWakeFor() => _memory.Load(Watch) == Sleepers.WatchRequested;

    /// <summary>Worker.StopSearchingToRun.</summary>
    private void StopSearchingToRun()
    {
        AtomicAdd(Searching, -1);
        if (_memory.Load(Searching) == 0 && HasWorkToWakeFor())
        {
            NotifyWork();
        }
    }

    private void NotifyWork()
    {
        SchedulePoint.Hit();
        if (_memory.Load(Searching) == 0 && _memory.Load(Sleeping) > 0)
        {
            // WakeOne with one worker: a waker that finds nobody in the Sleeping state hands its
            // token back and tries again while a sleeper is counted and a watch is requested.
            while (_memory.CompareExchange(Searching, 1, 0) == 0)
            {
                SchedulePoint.Hit();
                if (_memory.CompareExchange(SleepState, Sleepers.Woken, Sleepers.Sleeping) == Sleepers.Sleeping)
                {
                    SchedulePoint.Hit();
                    AtomicAdd(Sleeping, -1);
                    _workerParker.Unpark();
                    return;
                }

                SchedulePoint.Hit();
                AtomicAdd(Searching, -1);
                if (_memory.Load(Searching) != 0 || _memory.Load(Sleeping) == 0 || !HasWorkToWakeFor())
                {
                    return;
                }
            }
        }
    }

    private bool TryRetract()
    {
        long word = _ownerWord;
        SchedulePoint.Hit();
        if (_mutation == OfferMutation.RetractWithPlainStore)
        {
            if (_memory.Load(OfferWord) != word)
            {
                return false;
            }

            SchedulePoint.Hit();
            _memory.Store(OfferWord, word - OfferOpen);
            _memory.EndOperation();
            _memory.Store(OfferJobDone, 1); // Disarm
            return true;
        }

        if (_memory.CompareExchange(OfferWord, word - OfferOpen, word) == word)
        {
            _memory.Store(OfferJobDone, 1); // Disarm
            _memory.EndOperation();
            return true;
        }

        return false;
    }

    /// <summary>Sleepers.KeepsWatch.</summary>
    private bool KeepsWatch()
    {
        bool offers = AnyOpenOffer();
        if (_isWatcher)
        {
            _watchIdlePeriods = offers ? 0 : _watchIdlePeriods + 1;
            if (_watchIdlePeriods < _watchLinger)
            {
                return true;
            }

            // Give the watch up, then look again: an owner that saw it held did not request it.
            SchedulePoint.Hit();
            _memory.Exchange(Watch, Sleepers.WatchNone);
            _isWatcher = false;
            if (_mutation != OfferMutation.KeepsWatchWithoutSecondLook)
            {
                offers = AnyOpenOffer();
            }
        }

        SchedulePoint.Hit();
        long watch = _memory.Load(Watch);
        if (watch == Sleepers.Watching || (watch == Sleepers.WatchNone && !offers))
        {
            return false;
        }

        _isWatcher = _memory.CompareExchange(Watch, Sleepers.Watching, watch) == watch;
        _watchIdlePeriods = 0;
        return _isWatcher;
    }

    private bool AnyOpenOffer()
    {
        SchedulePoint.Hit();
        return (_memory.Load(OfferWord) & OfferStateMask) == OfferOpen;
    }

    private void AtomicAdd(int location, long delta)
    {
        while (true)
        {
            long value = _memory.Load(location);
            if (_memory.CompareExchange(location, value + delta, value) == value)
            {
                return;
            }
        }
    }

    private long Exchange(int location, long value)
    {
        long previous = _memory.CompareExchange(location, value, _memory.Load(location));
        return previous;
    }
}
