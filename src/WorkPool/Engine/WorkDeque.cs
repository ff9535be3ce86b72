using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A bounded Chase–Lev work-stealing deque of jobs: the owning worker pushes and pops at the
/// bottom, any other thread steals from the top.
/// </summary>
/// <remarks>
/// <para>Invariants. <c>top</c> only grows (by CAS, from thieves, or from the owner racing for
/// the last element); <c>bottom</c> is written by the owner only. Elements live at indices
/// [top, bottom). Capacity is a power of two and the owner never lets bottom − top exceed it,
/// so the cell it writes is never one a thief can still claim: a thief that read a stale index
/// is caught by its CAS on <c>top</c>. When full, <see cref="TryPush"/> fails and the caller
/// runs the job itself: the deque never grows and never allocates.</para>
/// <para>Memory ordering (C# model, following Lê et al., "Correct and Efficient Work-Stealing
/// for Weak Memory Models", PPoPP 2013): push publishes the cell with a release store of
/// <c>bottom</c>; pop stores the decremented <c>bottom</c> with a full fence before it reads
/// <c>top</c> (without it, owner and thief can both take the last job); steal reads <c>top</c>,
/// fences, then reads <c>bottom</c>, and claims with a CAS on <c>top</c>.</para>
/// </remarks>
internal sealed class WorkDeque
{
    // A struct wrapper so that storing a job is a plain reference store: a Job[] store would
    // pay an array-covariance type check on every push.
    private struct Cell
    {
        public Job? Job;
    }

    private readonly Cell[] _cells;
    private readonly long _mask;
    private PaddedInt64 _top;
    private PaddedInt64 _bottom;

    internal WorkDeque(int capacity)
    {
        Debug.Assert(capacity > 0 && (capacity & (capacity - 1)) == 0, "Capacity must be a power of two.");
        _cells = new Cell[capacity];
        _mask = capacity - 1;
    }

    internal int Capacity => _cells.Length;

    /// <summary>Approximate number of jobs (exact when only the owner is active).</summary>
    internal int Count
    {
        get
        {
            long size = Volatile.Read(ref _bottom.Value) - Volatile.Read(ref _top.Value);
            return size <= 0 ? 0 : (int)size;
        }
    }

    /// <summary>Unsynchronized emptiness hint for thieves and sleepers; may be stale.</summary>
    internal bool LooksEmpty => Volatile.Read(ref _top.Value) >= Volatile.Read(ref _bottom.Value);

    /// <summary>Owner only: push at the bottom. False when the deque is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryPush(Job job)
    {
        long bottom = _bottom.Value; // only the owner writes bottom
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top.Value); // stale is safe: top only grows, so we under-estimate free space
        if (bottom - top >= _cells.Length)
        {
            return false;
        }

        // The owner's execution context travels with the job (see Job), published by the release below.
        job.CaptureFlow();
        _cells[bottom & _mask].Job = job;
        SchedulePoint.Hit();
        // Release: a thief that reads the new bottom also reads the cell written above.
        Volatile.Write(ref _bottom.Value, bottom + 1);
        return true;
    }

    /// <summary>
    /// Owner: pops <paramref name="job"/> if it is the newest job on the deque. False when it is
    /// not there any more (a thief took it, and with it every older job) or another job is newer.
    /// </summary>
    /// <remarks>The peek is safe: only the owner writes cells, and a thief never writes one.</remarks>
    internal bool TryPopIfNewest(Job job)
    {
        long bottom = _bottom.Value;
        if (Volatile.Read(ref _top.Value) >= bottom || _cells[(bottom - 1) & _mask].Job != job)
        {
            return false;
        }

        Job? popped = TryPop();
        Debug.Assert(popped is null || popped == job, "The newest cell holds the job.");
        return popped is not null;
    }

    /// <summary>Owner only: pop the most recently pushed job, or null when the deque is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Job? TryPop()
    {
        long bottom = _bottom.Value - 1;
        // Full fence: the new bottom must be visible to thieves before we read top. Without it
        // a thief could read the old bottom, we could read the old top, and both would take the
        // last job.
        SchedulePoint.Hit();
        Interlocked.Exchange(ref _bottom.Value, bottom);
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top.Value);

        if (top < bottom)
        {
            // At least two jobs: thieves (which now see our bottom) cannot reach index bottom.
            return _cells[bottom & _mask].Job;
        }

        return top == bottom ? PopLast(top, bottom) : RestoreEmpty(bottom);
    }

    private Job? PopLast(long top, long bottom)
    {
        Job? job = _cells[bottom & _mask].Job;
        // One job left: race thieves for it on top, exactly as a thief would.
        SchedulePoint.Hit();
        bool won = Interlocked.CompareExchange(ref _top.Value, top + 1, top) == top;
        // Either way the deque is now empty with top == bottom + 1 == new bottom.
        SchedulePoint.Hit();
        Volatile.Write(ref _bottom.Value, bottom + 1);
        return won ? job : null;
    }

    private Job? RestoreEmpty(long bottom)
    {
        Debug.Assert(Volatile.Read(ref _top.Value) == bottom + 1, "An empty deque has top == bottom.");
        SchedulePoint.Hit();
        Volatile.Write(ref _bottom.Value, bottom + 1);
        return null;
    }

    /// <summary>
    /// Any thread: take the oldest job. Null when the deque is empty or another thread won the
    /// race for that job (the caller simply looks again later).
    /// </summary>
    internal Job? TrySteal()
    {
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top.Value);
        // Full fence between reading top and bottom: pairs with the owner's fence in TryPop so
        // that a thief and the owner cannot both see one job as theirs (Lê et al., steal()).
        Interlocked.MemoryBarrier();
        SchedulePoint.Hit();
        long bottom = Volatile.Read(ref _bottom.Value);
        if (top >= bottom)
        {
            return null;
        }

        SchedulePoint.Hit();
        Job? job = Volatile.Read(ref _cells[top & _mask].Job);
        // The CAS validates the read above: if top moved, the cell may have been reused.
        SchedulePoint.Hit();
        if (Interlocked.CompareExchange(ref _top.Value, top + 1, top) != top)
        {
            return null;
        }

        Debug.Assert(job is not null, "A claimed cell holds a job.");
        return job;
    }
}
