using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace WorkPool;

// Offers: late sharing without a poll. The outermost Join of a piece of work offers its frame;
// an idle participant that has seen the offer for ShareAfter claims it and runs the second half
// in place, so a long leaf half is shared even when its owner never reaches another Join. The
// protocol and its races are in docs/design/offers.md.
internal sealed partial class Participant
{
    private const long OfferStateMask = 3;
    private const long OfferNone = 0;
    private const long OfferOpen = 1;
    private const long OfferClaimed = 2;
    private const long OfferSequenceStep = 4;

    /// <summary>How many idle rounds pass between two looks at the other participants' offers (a look reads the clock).</summary>
    private const int OfferCheckPeriod = 16;

    /// <summary>
    /// The offer word: a sequence number (bits 2 and up, one per offer) and a state (bits 0–1:
    /// none, open, claimed). The owner publishes an open offer with a release store and retracts
    /// it with a CAS; a claimer moves it from open to claimed with a CAS, so exactly one of the
    /// two wins an open offer. Alone on its cache lines: idle participants read it.
    /// </summary>
    private PaddedInt64 _offer;

    /// <summary>
    /// Owner-only: the job that carries the offered half, armed from the offer until the half is
    /// done (run by a claimer) or the offer is retracted. Only the claimer whose CAS won runs it.
    /// </summary>
    private readonly FrameJob _offerJob;

    /// <summary>Owner-only: the word of the offer it published last.</summary>
    private long _offerWord;

    // Claimer-only: the offer this participant watches until it is old enough to claim.
    private Participant? _offerCandidate;
    private long _offerCandidateWord;
    private long _offerCandidateSince;

    /// <summary>
    /// Owner, outermost Join: offers <paramref name="frame"/>'s second half. The job is loaded
    /// and armed with plain stores; the release store of the open word publishes them, so a
    /// claimer whose CAS succeeds sees a loaded, armed job.
    /// </summary>
    private unsafe void Offer(JoinFrame* frame)
    {
        Debug.Assert(frame->Older is null && frame->State == JoinFrame.Recorded, "Only the outermost recorded frame is offered.");
        Debug.Assert(_offerJob.IsDone && (Volatile.Read(ref _offer.Value) & OfferStateMask) != OfferOpen, "The previous offer was resolved.");
        _offerJob.Load(frame);
        _offerJob.CaptureFlow();
        frame->State = JoinFrame.Offered;
        _outermostFrame = frame;
        _newestShared = frame;
        long word = (_offerWord & ~OfferStateMask) + OfferSequenceStep + OfferOpen;
        _offerWord = word;
        // Full fence (not only a release): the publication is ordered before the read of the
        // idle state, so a worker going to sleep either sees the offer or is seen (Sleepers.Watch.cs).
        Interlocked.Exchange(ref _offer.Value, word);
        _sleepers.EnsureOffersWatched();
    }

    /// <summary>Whether this participant has an offer open (any thread; a snapshot).</summary>
    internal bool HasOpenOffer => (Volatile.Read(ref _offer.Value) & OfferStateMask) == OfferOpen;

    /// <summary>
    /// Owner: withdraws its open offer. True when withdrawn (nobody claimed it: the half is the
    /// owner's again); false when a claimer won (wait for <see cref="_offerJob"/>).
    /// </summary>
    private bool TryRetractOffer()
    {
        long word = _offerWord;
        Debug.Assert((word & OfferStateMask) == OfferOpen);
        // The CAS decides against a concurrent claim: one of the two sees the other's write.
        SchedulePoint.Hit();
        if (Interlocked.CompareExchange(ref _offer.Value, word - OfferOpen + OfferNone, word) == word)
        {
            _offerJob.Disarm();
            return true;
        }

        Debug.Assert(Volatile.Read(ref _offer.Value) == word - OfferOpen + OfferClaimed, "Only a claimer moves an open offer.");
        // Shared like a promoted half: counted the same way (the claim counts JoinHalfTaken later).
        _stats.JoinPromoted(Deque.Count);
        return false;
    }

    /// <summary>
    /// Owner: its offered half was claimed; help with other work until the claimer is done (not
    /// even an interrupt ends the wait: the half runs on this stack). Returns B's exception.
    /// </summary>
    private ExceptionDispatchInfo? WaitForClaimedOffer()
    {
        var done = new JobDone(_offerJob);
        WaitUninterruptibly(ref done);
        _stats.JoinHalfTaken();
        return _offerJob.TakeError();
    }

    /// <summary>
    /// An idle participant looks at the others' offers. An offer becomes a candidate the first
    /// time it is seen; once the same offer (same sequence) has been open for
    /// <see cref="SharingClock.ShareAfterTicks"/>, it is claimed with a CAS and its job returned, to run here.
    /// Null when there is nothing to claim yet.
    /// </summary>
    private FrameJob? TryClaimOffer(bool adopt)
    {
        long now = Stopwatch.GetTimestamp();
        if (_offerCandidate is null)
        {
            if (!adopt)
            {
                return null;
            }

            foreach (Participant owner in _pool.Participants)
            {
                long word = Volatile.Read(ref owner._offer.Value);
                if (owner != this && (word & OfferStateMask) == OfferOpen)
                {
                    _offerCandidate = owner;
                    _offerCandidateWord = word;
                    _offerCandidateSince = now;
                    break;
                }
            }

            if (_offerCandidate is null)
            {
                return null;
            }
        }

        Participant candidate = _offerCandidate;
        long seen = Volatile.Read(ref candidate._offer.Value);
        if (seen != _offerCandidateWord)
        {
            // Retracted, claimed by someone else, or replaced by a newer offer.
            _offerCandidate = null;
            return null;
        }

        if (now - _offerCandidateSince < SharingClock.ShareAfterTicks)
        {
            return null;
        }

        _offerCandidate = null;
        SchedulePoint.Hit();
        if (Interlocked.CompareExchange(ref candidate._offer.Value, seen - OfferOpen + OfferClaimed, seen) != seen)
        {
            return null;
        }

        _stats.OfferClaimed();
        return candidate._offerJob;
    }
}
