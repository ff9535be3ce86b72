using System.Diagnostics;

namespace WorkPool.ScheduleTests;

/// <summary>
/// A deliberately broken copy of <see cref="WorkDeque"/> for the explorer's self-test: its pop
/// takes the last element without racing thieves for it (no CAS on top), the bug a published
/// .NET scheduler shipped. Everything else is the real algorithm, with the same schedule points.
/// </summary>
internal sealed class DequeWithoutLastElementCas : IDeque
{
    private readonly Job?[] _cells;
    private readonly long _mask;
    private long _top;
    private long _bottom;

    internal DequeWithoutLastElementCas(int capacity)
    {
        _cells = new Job?[capacity];
        _mask = capacity - 1;
    }

    public bool TryPush(Job job)
    {
        long bottom = _bottom;
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top);
        if (bottom - top >= _cells.Length)
        {
            return false;
        }

        _cells[bottom & _mask] = job;
        SchedulePoint.Hit();
        Volatile.Write(ref _bottom, bottom + 1);
        return true;
    }

    public Job? TryPop()
    {
        long bottom = _bottom - 1;
        SchedulePoint.Hit();
        Interlocked.Exchange(ref _bottom, bottom);
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top);
        if (top <= bottom)
        {
            Job? job = _cells[bottom & _mask];
            if (top == bottom)
            {
                // THE BUG: the last element is taken without a CAS on top, so a thief that read
                // top before our bottom store can take it too.
                SchedulePoint.Hit();
                Volatile.Write(ref _top, top + 1);
                SchedulePoint.Hit();
                Volatile.Write(ref _bottom, bottom + 1);
            }

            return job;
        }

        SchedulePoint.Hit();
        Volatile.Write(ref _bottom, bottom + 1);
        return null;
    }

    public Job? TrySteal()
    {
        SchedulePoint.Hit();
        long top = Volatile.Read(ref _top);
        Interlocked.MemoryBarrier();
        SchedulePoint.Hit();
        long bottom = Volatile.Read(ref _bottom);
        if (top >= bottom)
        {
            return null;
        }

        SchedulePoint.Hit();
        Job? job = Volatile.Read(ref _cells[top & _mask]);
        SchedulePoint.Hit();
        if (Interlocked.CompareExchange(ref _top, top + 1, top) != top)
        {
            return null;
        }

        Debug.Assert(job is not null);
        return job;
    }
}

/// <summary>
/// A deliberately broken copy of <see cref="AwaitedJob"/>'s latch: the executor completes with
/// a read, then a separate write, instead of one atomic exchange. An owner that announces
/// parking between the two is never unparked: a lost wake-up, which the explorer must report
/// as a deadlock.
/// </summary>
internal sealed class LatchWithSplitComplete(Parker owner)
{
    private const int Pending = 0;
    private const int WaiterParked = 1;
    private const int Done = 2;

    private int _state = Done;

    internal bool IsDone => Volatile.Read(ref _state) == Done;

    internal void Arm() => _state = Pending;

    internal bool TryAnnounceParking()
    {
        SchedulePoint.Hit();
        return Interlocked.CompareExchange(ref _state, WaiterParked, Pending) == Pending;
    }

    internal void WithdrawParking()
    {
        SchedulePoint.Hit();
        Interlocked.CompareExchange(ref _state, Pending, WaiterParked);
    }

    internal void Complete()
    {
        SchedulePoint.Hit();
        int previous = Volatile.Read(ref _state);
        // THE BUG: the owner's CAS to WaiterParked can land here, and is then overwritten.
        SchedulePoint.Hit();
        Volatile.Write(ref _state, Done);
        if (previous == WaiterParked)
        {
            owner.Unpark();
        }
    }

    /// <summary>The owner's wait condition, as <see cref="JobDone"/> is for the real latch.</summary>
    internal readonly struct Completed(LatchWithSplitComplete latch) : IWakeCondition
    {
        public bool IsMet() => latch.IsDone;

        public bool TryRegister(ThreadContext waiter) => latch.TryAnnounceParking();

        public void Unregister(ThreadContext waiter) => latch.WithdrawParking();
    }
}
