using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

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
