using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

// The engine of every parallel loop (For, ForRange, ForEach, Reduce, loops with Break/Stop).
// Each form becomes one ILoopBody<TResult>: a body that accumulates whole sub-ranges ("pieces")
// into a result (For's result is the empty NoResult). The body lives, with the loop's settings,
// its stop flags and its cursor, in one Loop<TBody, TResult> on the stack of the thread that
// started the loop; everything that runs pieces reaches it through a plain pointer. That thread
// does not leave the loop (not even by an exception) before every piece is done and every job
// that points at the Loop has completed, and stacks do not move, so the pointer stays valid.
//
// Two ways to run a loop:
//
// * Tree (called on a worker of the pool, nested inside a guest's piece, the deterministic mode
//   of Reduce, and the fallback when the caller cannot be a guest): recursive halving through
//   ForkContext.Join down to pieces of at least Grain. A Join nobody steals costs a few
//   nanoseconds, and its second half is shared only when a participant is idle and the work has
//   run for ShareAfter, oldest (biggest) first, so idle participants take the largest ranges
//   left and the loop balances itself. The tree's shape depends only on the range and Grain,
//   never on timing, so results combine in the same order on every run.
//
// * Caller first (a thread outside the pool, as a guest of it): the calling thread runs pieces
//   itself from a cursor, alone at first with plain reads and writes, in pieces that double
//   (Grain, 2 Grain, 4 Grain, ...), reading the clock after each from the second on. A loop
//   that finishes within SharingClock.LoopAloneTicks (a quarter hand-off), or
//   LoopAloneWithSearcherTicks when a participant searches (a steal round trip), never involves
//   anyone else: no job, no fence, no wake-up. Once that time has passed and some participant is
//   idle, the guest shares one helper job (the LoopHelper lies on its stack; one of the guest's
//   type-free frame jobs carries it onto its deque) through which ThreadCount - 1 workers join
//   in (fanning out through Join), and from then on everyone claims pieces from the cursor with
//   a CAS, in guided sizes (a fraction of what is left, so pieces shrink towards the end and the
//   last ones finish together). When the cursor is exhausted, the guest takes the helper back
//   from its deque if nobody took it, and otherwise waits for it: it points at the Loop on the
//   guest's stack (see LoopHelper).
//
// Exactly once: in the tree, each node either splits its range into two disjoint halves or runs
// it as one piece. With the cursor, _claimed only grows, and a piece is [claimed, claimed +
// take): before the helper job is shared only the caller touches the cursor (plain accesses are
// enough), and the sharing (the deque's release store, then a full fence) makes its value
// visible to the helpers; after it, every claim is a CAS from the value it read, so no two
// claims overlap, and together they cover [0, Length). A claimed piece runs unless the loop was
// stopped (exception, Stop, cancellation) or broken below the piece's start.
//
// Nesting: a loop inside a piece that the guest runs while its helper is out is a tree on the
// guest (its halves are shared like any Join's); a loop inside a piece on a worker is a tree on
// that worker. The guest shares only when some participant is idle, so a loop started while
// the pool is saturated runs on the caller instead of queueing behind other work.
//
// Exceptions: a throwing piece stops the loop (pieces not started yet are skipped) and its
// exception travels up like a Join's: in the tree through the Joins; with the cursor, the
// caller's own exception and the helper job's are combined like a Join's A and B (the caller is
// A). At the top RunLoop makes of whatever arrived one flat AggregateException (Failures), so
// the caller sees the same type whatever ran where (docs/exceptions.md).

/// <summary>The shared state of one parallel loop; lives on the stack of the thread that started it.</summary>
internal struct Loop<TBody, TResult>
    where TBody : struct, ILoopBody<TResult>
{
    public TBody Body;
    public LoopFlags Flags;

    /// <summary>The first index; pieces are offsets from it, so ranges up to 2^64 − 1 long never overflow.</summary>
    public readonly long From;

    /// <summary>The number of iterations (toExclusive − fromInclusive, as ulong).</summary>
    public readonly ulong Length;

    /// <summary>The shortest piece (unless the whole loop is shorter); in the tree, ranges split while each half is at least this long.</summary>
    public readonly ulong Grain;

    public readonly CancellationToken CancellationToken;

    /// <summary>Guided piece size with the cursor: what is left divided by this (four pieces per participant).</summary>
    private readonly ulong _guidedDivisor;

    /// <summary>The cursor: how many iterations from <see cref="From"/> have been claimed.</summary>
    private ulong _claimed;

    /// <summary>
    /// The longest piece the cursor hands out: about <see cref="SharingClock.PieceTarget"/> at the
    /// measured rate (unbounded until the first measurement). A hint written by whoever measures
    /// a piece that no longer fits; set before the helper job is published, so no helper's first
    /// claim is unbounded.
    /// </summary>
    private ulong _pieceCap;

    public Loop(TBody body, long fromInclusive, long toExclusive, ulong grain, int participants, CancellationToken cancellationToken)
    {
        Debug.Assert(fromInclusive < toExclusive && grain >= 1 && participants >= 1);
        Body = body;
        Flags = new LoopFlags();
        From = fromInclusive;
        Length = unchecked((ulong)(toExclusive - fromInclusive));
        Grain = grain;
        CancellationToken = cancellationToken;
        _guidedDivisor = 4 * (ulong)participants;
        _pieceCap = ulong.MaxValue;
    }

    public readonly ulong Remaining => Length - _claimed;

    /// <summary>How many iterations have been claimed (the caller alone: a plain read).</summary>
    public readonly ulong Claimed => _claimed;

    /// <summary>Whether a piece starting at <paramref name="from"/> is to be skipped: stopped, broken below it, or cancelled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool ShouldSkip(long from) => Flags.ShouldSkip(from) || CancellationToken.IsCancellationRequested;

    /// <summary>Runs one piece; a throwing piece stops the loop before its exception goes on.</summary>
    public TResult RunPiece(TResult accumulator, long from, long to)
    {
        try
        {
            return Body.Accumulate(accumulator, from, to, ref Flags);
        }
        catch
        {
            Flags.Stop();
            throw;
        }
    }

    /// <summary>
    /// The caller, while no helper job exists: claims up to <paramref name="size"/> iterations
    /// (never leaving a tail shorter than the grain) with plain accesses.
    /// </summary>
    public bool TryClaimAlone(ulong size, out long from, out long to)
    {
        ulong claimed = _claimed;
        ulong remaining = Length - claimed;
        if (remaining == 0)
        {
            from = to = 0;
            return false;
        }

        ulong take = Math.Min(size, Math.Max(Grain, remaining / _guidedDivisor));
        if (remaining - Math.Min(take, remaining) < Grain)
        {
            take = remaining;
        }

        Debug.Assert(take >= 1 && take <= remaining, "A piece is non-empty and inside the range.");
        _claimed = claimed + take;
        from = unchecked(From + (long)claimed);
        to = unchecked(From + (long)(claimed + take));
        return true;
    }

    /// <summary>Anyone, once the helper job was published: claims a guided piece with a CAS.</summary>
    public bool TryClaimShared(out long from, out long to)
    {
        ulong claimed = Volatile.Read(ref _claimed);
        while (true)
        {
            ulong remaining = Length - claimed;
            if (remaining == 0)
            {
                from = to = 0;
                return false;
            }

            ulong take = Math.Max(Grain, Math.Min(remaining / _guidedDivisor, Volatile.Read(ref _pieceCap)));
            if (take >= remaining || remaining - take < Grain)
            {
                take = remaining;
            }

            Debug.Assert(take >= 1 && take <= remaining, "A piece is non-empty and inside the range.");

            // Full fence; the winner owns [claimed, claimed + take).
            ulong seen = Interlocked.CompareExchange(ref _claimed, claimed + take, claimed);
            if (seen == claimed)
            {
                from = unchecked(From + (long)claimed);
                to = unchecked(From + (long)(claimed + take));
                return true;
            }

            claimed = seen;
        }
    }

    /// <summary>Claims and runs pieces until the cursor is exhausted or the loop stops, measuring each (see <see cref="Pace"/>).</summary>
    public TResult DrainShared(TResult accumulator)
    {
        long last = Stopwatch.GetTimestamp();
        while (TryClaimShared(out long from, out long to) && !ShouldSkip(from))
        {
            accumulator = RunPiece(accumulator, from, to);
            long now = Stopwatch.GetTimestamp();
            Pace(unchecked((ulong)(to - from)), now - last);
            last = now;
        }

        return accumulator;
    }

    /// <summary>
    /// The caller alone (no helper out, its deque full): runs the rest in pieces paced like the
    /// shared ones, so that a stop or a cancellation still takes effect between them.
    /// </summary>
    public TResult DrainAlone(TResult accumulator)
    {
        ulong cap = Volatile.Read(ref _pieceCap);
        ulong size = cap == ulong.MaxValue ? Grain : cap;
        long last = Stopwatch.GetTimestamp();
        while (TryClaimAlone(size, out long from, out long to) && !ShouldSkip(from))
        {
            accumulator = RunPiece(accumulator, from, to);
            long now = Stopwatch.GetTimestamp();
            size = NextPiece(size, unchecked((ulong)(to - from)), now - last);
            last = now;
        }

        return accumulator;
    }

    /// <summary>
    /// After a piece of <paramref name="iterations"/> ran in <paramref name="ticks"/>: corrects
    /// the piece cap when the piece overran the target, or when a capped piece ran much shorter
    /// (a plain hint; concurrent writers each leave a measured value). A piece that was neither
    /// costs two compares.
    /// </summary>
    public void Pace(ulong iterations, long ticks)
    {
        if (ticks <= 2 * LoopPacing.PieceTargetTicks && (ticks >= LoopPacing.PieceTargetTicks / 4 || iterations < Volatile.Read(ref _pieceCap)))
        {
            return;
        }

        SetPieceCap(iterations, ticks);
    }

    /// <summary>Sets the piece cap from the rate of <paramref name="iterations"/> in <paramref name="ticks"/> when it is off by more than half.</summary>
    public void SetPieceCap(ulong iterations, long ticks)
    {
        ulong cap = Volatile.Read(ref _pieceCap);
        ulong fit = LoopPacing.Fit(iterations, ticks, Grain);
        if (fit < cap / 2 || fit / 2 > cap)
        {
            Volatile.Write(ref _pieceCap, fit);
        }
    }

    /// <summary><paramref name="size"/>, but no more than the piece cap (and no less than the grain).</summary>
    public readonly ulong CappedPiece(ulong size) => Math.Max(Grain, Math.Min(size, Volatile.Read(in _pieceCap)));

    /// <summary>The caller alone, after a piece of <paramref name="iterations"/> that ran <paramref name="ticks"/>: the next one doubles, capped once pieces near the target.</summary>
    public ulong NextPiece(ulong size, ulong iterations, long ticks)
    {
        ulong doubled = size <= ulong.MaxValue / 2 ? size * 2 : size;
        if (ticks >= LoopPacing.PieceTargetTicks / 4)
        {
            SetPieceCap(iterations, ticks);
        }

        return CappedPiece(doubled);
    }
}
