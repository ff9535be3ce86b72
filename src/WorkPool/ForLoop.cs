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
// * Tree (called on a worker of the pool, and the deterministic mode of Reduce): recursive
//   halving through ForkContext.Join down to pieces of at least Grain. A Join nobody steals costs
//   a few nanoseconds, and its second half is offered to a worker only when one is idle, oldest
//   (biggest) first, so idle workers take the largest ranges left and the loop balances itself.
//   The tree's shape depends only on the range and Grain, never on timing, so results combine in
//   the same order on every run.
//
// * Caller first (called from a thread outside the pool, or from a worker of another pool): the
//   calling thread runs pieces itself from a cursor, alone at first with plain reads and writes,
//   in pieces that double (Grain, 2 Grain, 4 Grain, ...), reading the clock after each from the
//   second on. A loop that finishes within the heartbeat (LoopHeartbeat, a few microseconds)
//   never involves the pool: no job, no fence, no wake-up. Once the heartbeat has passed and
//   some worker is idle, the caller injects one job (its thread's preallocated slot) through
//   which ThreadCount - 1 workers join in (fanning out through Join), and from then on everyone
//   claims pieces from the cursor with a CAS, in guided sizes (a fraction of what is left, so
//   pieces shrink towards the end and the last ones finish together). When the cursor is
//   exhausted, the caller revokes the job if no worker has entered it yet (a sleeping worker may
//   take long to wake), and otherwise waits for it: it points at the Loop on the caller's stack
//   (see LoopHelper).
//
// Exactly once: in the tree, each node either splits its range into two disjoint halves or runs
// it as one piece. With the cursor, _claimed only grows, and a piece is [claimed, claimed +
// take): before the helper job is published only the caller touches the cursor (plain accesses
// are enough), and the publication (the ring's CAS, then a full fence) makes its value visible
// to the helpers; after it, every claim is a CAS from the value it read, so no two claims
// overlap, and together they cover [0, Length). A claimed piece runs unless the loop was
// stopped (exception, Stop, cancellation) or broken below the piece's start.
//
// Nesting and busy pools: a loop inside a piece that the caller runs while its helper is out
// (ThreadContext.Depth > 0) runs alone on the caller: the workers are busy with the outer loop,
// and a second helper could only start once one of them is free, with the caller waiting for it.
// A loop inside a piece on a worker is a tree on that worker. The caller hands off only when
// some worker is idle, so a loop started while the pool is saturated runs on the caller instead
// of queueing behind other work, and a helper that no worker has entered is revoked rather than
// awaited. (A helper that has entered may still, while it waits inside a Join for a half another
// worker took, run other jobs of the pool, as every waiting worker does.)
//
// Exceptions: a throwing piece stops the loop (pieces not started yet are skipped) and its
// exception travels up like a Join's: in the tree through the Joins; with the cursor, the
// caller's own exception and the helper job's are combined like a Join's A and B (the caller is
// A). One exception is rethrown as itself, two become an AggregateException (which may nest).

/// <summary>
/// A loop body as the engine sees it: accumulates pieces of the range into a result. For the
/// loops without a result, <typeparamref name="TResult"/> is <see cref="NoResult"/>.
/// </summary>
internal interface ILoopBody<TResult>
{
    /// <summary>The result of an empty piece (also what a skipped piece contributes).</summary>
    TResult Identity();

    /// <summary>Runs the iterations [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) into <paramref name="accumulator"/>.</summary>
    TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags);

    /// <summary>Combines the results of two adjacent ranges, <paramref name="left"/> before <paramref name="right"/> in the tree.</summary>
    TResult Combine(TResult left, TResult right);
}

/// <summary>The result of a loop that has none.</summary>
internal readonly struct NoResult
{
}

/// <summary>
/// Whether a loop was stopped (by an exception, <see cref="LoopControl.Stop"/>) and the lowest
/// index passed to <see cref="LoopControl.Break"/>. Written rarely, read once per piece (and
/// once per iteration by the loops with a <see cref="LoopControl"/>); a stale read only lets one
/// more piece or iteration run, which Stop and Break allow.
/// </summary>
internal struct LoopFlags
{
    /// <summary>No Break yet: greater than every index (the last index of a loop is at most long.MaxValue − 1).</summary>
    internal const long NoBreak = long.MaxValue;

    private volatile int _stopped;
    private long _lowestBreak;

    public LoopFlags() => _lowestBreak = NoBreak;

    public readonly bool IsStopped => _stopped != 0;

    public readonly long LowestBreak => Volatile.Read(in _lowestBreak);

    /// <summary>Whether a piece or iteration starting at <paramref name="index"/> may be skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool ShouldSkip(long index) => _stopped != 0 || index > Volatile.Read(in _lowestBreak);

    public void Stop() => _stopped = 1;

    /// <summary>Lowers the break index to <paramref name="index"/> unless it is already lower (a CAS loop: concurrent Breaks keep the minimum).</summary>
    public void Break(long index)
    {
        Debug.Assert(index < NoBreak);
        long seen = Volatile.Read(ref _lowestBreak);
        while (index < seen)
        {
            long previous = Interlocked.CompareExchange(ref _lowestBreak, index, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}

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
    }

    public readonly ulong Remaining => Length - _claimed;

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

            ulong take = Math.Max(Grain, remaining / _guidedDivisor);
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

    /// <summary>Claims and runs pieces until the cursor is exhausted or the loop stops.</summary>
    public TResult DrainShared(TResult accumulator)
    {
        while (TryClaimShared(out long from, out long to) && !ShouldSkip(from))
        {
            accumulator = RunPiece(accumulator, from, to);
        }

        return accumulator;
    }
}

/// <summary>One range [from, to) of a loop run as a tree: split in halves joined in parallel, down to pieces.</summary>
internal unsafe struct LoopSplit<TBody, TResult> : IWork
    where TBody : struct, ILoopBody<TResult>
{
    // Unmanaged pointer to the Loop on the starting thread's stack (see the top of this file).
    private readonly void* _loop;
    private readonly long _from;
    private readonly long _to;

    public TResult Result;

    public LoopSplit(void* loop, long from, long to)
    {
        Debug.Assert(from < to, "Ranges are never empty.");
        _loop = loop;
        _from = from;
        _to = to;
        Result = default!;
    }

    public void Run(ForkContext context)
    {
        ref Loop<TBody, TResult> loop = ref Unsafe.AsRef<Loop<TBody, TResult>>(_loop);
        if (loop.ShouldSkip(_from))
        {
            Result = loop.Body.Identity();
            return;
        }

        // The length as ulong: to − from overflows long for ranges wider than long.MaxValue.
        ulong half = unchecked((ulong)(_to - _from)) / 2;
        if (half >= loop.Grain)
        {
            long middle = unchecked(_from + (long)half);
            var left = new LoopSplit<TBody, TResult>(_loop, _from, middle);
            var right = new LoopSplit<TBody, TResult>(_loop, middle, _to);
            context.Join(ref left, ref right);
            Result = loop.Body.Combine(left.Result, right.Result);
            return;
        }

        Result = loop.RunPiece(loop.Body.Identity(), _from, _to);
    }
}

/// <summary>
/// The one job a caller-first loop injects: the workers that run it claim pieces from the
/// cursor. With more than one helper wanted it fans out through Join, so idle workers can take
/// the other halves (see <see cref="Worker.Join{TA, TB}"/>).
/// </summary>
/// <remarks>
/// <para>Revocable, so that a caller never waits for a worker that has not even started: the
/// job lives in the caller's preallocated slot on the heap, and its entry state says whether it
/// may touch the Loop on the caller's stack. <c>Armed</c> (published) moves exactly once, by a
/// CAS, either to <c>Entered</c> (the executing worker, before it reads the Loop) or to
/// <c>Revoked</c> (the caller, once it has no piece left to claim or the loop stopped). Whoever
/// wins decides: after Entered, the caller waits for the job to be done, as for a Join's stolen
/// half; after Revoked, the caller returns at once, and the worker that eventually runs the job
/// (it is still in the ring) returns without dereferencing the stale pointer. The slot is reused
/// only once that run has completed it (the caller checks <see cref="AwaitedJob.IsDone"/>, an
/// acquire read, before arming it again; until then its loops run alone).</para>
/// <para>Only the root job takes part in the protocol; the halves it forks are stack copies made
/// after it entered.</para>
/// </remarks>
internal unsafe struct LoopHelper<TBody, TResult> : IWork
    where TBody : struct, ILoopBody<TResult>
{
    private const int Armed = 0;
    private const int Entered = 1;
    private const int Revoked = 2;

    private readonly void* _loop;
    private readonly int _width;
    private int _entry;

    public TResult Result;

    public LoopHelper(void* loop, int width)
        : this(loop, width, Armed)
    {
    }

    private LoopHelper(void* loop, int width, int entry)
    {
        Debug.Assert(width >= 1);
        _loop = loop;
        _width = width;
        _entry = entry;
        Result = default!;
    }

    /// <summary>Caller: withdraws the job if no worker has entered it yet. True when withdrawn (do not wait for it).</summary>
    public bool TryRevoke() => Interlocked.CompareExchange(ref _entry, Revoked, Armed) == Armed;

    public void Run(ForkContext context)
    {
        // Full fence: entering is ordered before every read of the Loop, and the caller's revoke
        // and this entry cannot both succeed.
        if (_entry != Entered && Interlocked.CompareExchange(ref _entry, Entered, Armed) != Armed)
        {
            Debug.Assert(_entry == Revoked, "Only the caller moves an armed helper elsewhere.");
            return;
        }

        ref Loop<TBody, TResult> loop = ref Unsafe.AsRef<Loop<TBody, TResult>>(_loop);
        if (_width > 1)
        {
            var a = new LoopHelper<TBody, TResult>(_loop, _width - (_width / 2), Entered);
            var b = new LoopHelper<TBody, TResult>(_loop, _width / 2, Entered);
            context.Join(ref a, ref b);
            Result = loop.Body.Combine(a.Result, b.Result);
            return;
        }

        Result = loop.DrainShared(loop.Body.Identity());
    }
}

/// <summary>Loop body over an <see cref="IForRangeBody"/> (For, ForRange, ForEach).</summary>
internal struct RangeLoopBody<TRange>(TRange body) : ILoopBody<NoResult>
    where TRange : struct, IForRangeBody
{
    public TRange Body = body;

    public readonly NoResult Identity() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NoResult Accumulate(NoResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags)
    {
        Body.Invoke(fromInclusive, toExclusive);
        return accumulator;
    }

    public readonly NoResult Combine(NoResult left, NoResult right) => default;
}

/// <summary>Range body over an <see cref="IForBody"/>.</summary>
internal struct IndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, IForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        Debug.Assert(fromInclusive >= int.MinValue && toExclusive <= (long)int.MaxValue + 1, "An int loop's ranges fit in int.");
        // long counter: an int one would overflow when toExclusive is int.MaxValue.
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke((int)i);
        }
    }
}

/// <summary>Range body over an <see cref="ILongForBody"/>.</summary>
internal struct LongIndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, ILongForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke(i);
        }
    }
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="int"/>.</summary>
internal readonly struct ActionForBody(Action<int> body) : IForBody
{
    public void Invoke(int index) => body(index);
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="long"/>.</summary>
internal readonly struct LongActionForBody(Action<long> body) : ILongForBody
{
    public void Invoke(long index) => body(index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="int"/> with its state (no closure needed).</summary>
internal readonly struct StateActionForBody<TState>(TState state, Action<TState, int> body) : IForBody
{
    public void Invoke(int index) => body(state, index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="long"/> with its state (no closure needed).</summary>
internal readonly struct LongStateActionForBody<TState>(TState state, Action<TState, long> body) : ILongForBody
{
    public void Invoke(long index) => body(state, index);
}

/// <summary>Loop body over an <see cref="IRangeReducer{TResult}"/>.</summary>
internal readonly struct ReducerLoopBody<TReducer, TResult>(TReducer reducer) : ILoopBody<TResult>
    where TReducer : struct, IRangeReducer<TResult>
{
    public TResult Identity() => reducer.Identity();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags) =>
        reducer.Accumulate(accumulator, fromInclusive, toExclusive);

    public TResult Combine(TResult left, TResult right) => reducer.Combine(left, right);
}

/// <summary>Reducer over delegates that accumulate one index at a time.</summary>
internal readonly struct FuncReducer<TResult>(TResult identity, Func<TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(accumulator, (int)i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}

/// <summary>Reducer over delegates with a state (no closure needed).</summary>
internal readonly struct StateFuncReducer<TState, TResult>(TState state, TResult identity, Func<TState, TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(state, accumulator, (int)i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}

/// <summary>An iteration that receives a <see cref="LoopControl"/> (the delegate forms with Break/Stop).</summary>
internal interface IControlledIndexBody
{
    void Invoke(long index, LoopControl control);
}

/// <summary>
/// Loop body for the forms with Break/Stop: before each iteration it checks the flags, so a Stop
/// or a Break below the iteration ends the piece (two plain reads per iteration; the other
/// forms check only per piece).
/// </summary>
internal struct ControlledLoopBody<TBody>(TBody body) : ILoopBody<NoResult>
    where TBody : struct, IControlledIndexBody
{
    public TBody Body = body;

    public readonly NoResult Identity() => default;

    public NoResult Accumulate(NoResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags)
    {
        for (long i = fromInclusive; i < toExclusive && !flags.ShouldSkip(i); i++)
        {
            Body.Invoke(i, new LoopControl(ref flags, i));
        }

        return accumulator;
    }

    public readonly NoResult Combine(NoResult left, NoResult right) => default;
}

/// <summary>Controlled iteration for <see cref="ControlledForAction"/>.</summary>
internal readonly struct ControlledActionBody(ControlledForAction body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body((int)index, control);
}

/// <summary>Controlled iteration for <see cref="LongControlledForAction"/>.</summary>
internal readonly struct LongControlledActionBody(LongControlledForAction body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(index, control);
}

/// <summary>Controlled iteration for <see cref="ControlledForAction{TState}"/> with its state.</summary>
internal readonly struct StateControlledActionBody<TState>(TState state, ControlledForAction<TState> body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(state, (int)index, control);
}

/// <summary>Controlled iteration for <see cref="LongControlledForAction{TState}"/> with its state.</summary>
internal readonly struct LongStateControlledActionBody<TState>(TState state, LongControlledForAction<TState> body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(state, index, control);
}
