namespace WorkPool.Bench.Workloads;

/// <summary>
/// Exactly-once accounting for the fire-and-forget jobs of a flood: the flooder numbers each
/// job it queues (<see cref="Next"/>), the job marks its number when it has run
/// (<see cref="MarkRan"/>), and <see cref="CheckAndReset"/> verifies that every number ran once.
/// </summary>
/// <remarks>
/// The marks live in a fixed array indexed by number modulo its length (allocated once, reused
/// every round): a round of up to <see cref="Slots"/> jobs is checked exactly; a longer one
/// checks each slot's count, which still catches any lost or doubled job unless a loss and a
/// double land in the same slot.
/// </remarks>
internal sealed class FloodLedger
{
    /// <summary>Marks in the array: a round of up to this many jobs is checked one by one.</summary>
    internal const int Slots = 1 << 20;

    private const int Mask = Slots - 1;

    private readonly int[] _runs = new int[Slots];
    private long _queued;
    private long _ran;

    /// <summary>Jobs numbered so far in this round.</summary>
    internal long Queued => Volatile.Read(ref _queued);

    /// <summary>Jobs numbered but not yet run.</summary>
    internal long InFlight => Volatile.Read(ref _queued) - Volatile.Read(ref _ran);

    /// <summary>The number of the next job. Called by the one flooding thread only.</summary>
    internal long Next()
    {
        long number = _queued;
        Volatile.Write(ref _queued, number + 1);
        return number;
    }

    /// <summary>Called by job <paramref name="number"/> once it has done its work.</summary>
    internal void MarkRan(long number)
    {
        Interlocked.Increment(ref _runs[number & Mask]);
        Interlocked.Increment(ref _ran);
    }

    /// <summary>Waits (yielding) until every numbered job has run; false if that takes longer than <paramref name="timeout"/>.</summary>
    internal bool WaitUntilDrained(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = default(SpinWait);
        while (InFlight > 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }

    /// <summary>
    /// After the round (every job drained): null if each numbered job ran exactly once, else
    /// what went wrong. Clears the marks for the next round either way.
    /// </summary>
    internal string? CheckAndReset()
    {
        long queued = Volatile.Read(ref _queued);
        long ran = Volatile.Read(ref _ran);
        string? error = ran == queued ? null : $"{queued} flood jobs queued, {ran} ran";
        long fullLaps = queued / Slots;
        long remainder = queued % Slots;
        int used = (int)Math.Min(queued, Slots);
        for (int slot = 0; slot < used; slot++)
        {
            long expected = fullLaps + (slot < remainder ? 1 : 0);
            if (_runs[slot] != expected && error is null)
            {
                error = $"flood job {slot} (mod {Slots}) ran {_runs[slot]} times, expected {expected}";
            }
        }

        Array.Clear(_runs, 0, used);
        Volatile.Write(ref _queued, 0);
        Volatile.Write(ref _ran, 0);
        return error;
    }
}
