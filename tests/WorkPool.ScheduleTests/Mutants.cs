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

/// <summary>
/// A deliberately broken copy of <see cref="BoundedQueue{T}"/> (the job cache's queue): its
/// dequeue claims a position with a read, then a plain write of <c>head</c>, instead of a CAS, so
/// two consumers can take the same slot: the same free job handed to two spawners. Enqueue is the
/// real algorithm, with the same schedule points.
/// </summary>
internal sealed class BoundedQueueWithoutClaimCas<T>
    where T : class
{
    private struct Slot
    {
        public long Sequence;
        public T? Item;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private long _head;
    private long _tail;

    internal BoundedQueueWithoutClaimCas(int capacity)
    {
        _slots = new Slot[capacity];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = capacity - 1;
    }

    internal bool TryEnqueue(T item)
    {
        long position = Volatile.Read(ref _tail);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            SchedulePoint.Hit();
            long lag = Volatile.Read(ref slot.Sequence) - position;
            if (lag == 0)
            {
                long observed = Interlocked.CompareExchange(ref _tail, position + 1, position);
                if (observed == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }

                position = observed;
            }
            else if (lag < 0)
            {
                return false;
            }
            else
            {
                position = Volatile.Read(ref _tail);
            }
        }
    }

    internal T? TryDequeue()
    {
        long position = Volatile.Read(ref _head);
        ref Slot slot = ref _slots[position & _mask];
        SchedulePoint.Hit();
        if (Volatile.Read(ref slot.Sequence) - (position + 1) != 0)
        {
            return null;
        }

        // THE BUG: the position is claimed by a plain write, so another consumer that read the
        // same head in between takes the same item.
        T? item = slot.Item;
        SchedulePoint.Hit();
        Volatile.Write(ref _head, position + 1);
        slot.Item = null;
        Volatile.Write(ref slot.Sequence, position + _mask + 1);
        return item;
    }
}

/// <summary>The job cache's free list on the broken queue above.</summary>
internal sealed class BrokenFreeList(int capacity) : IFreeList
{
    private readonly BoundedQueueWithoutClaimCas<PooledJob> _queue = new(capacity);

    public PooledJob? TryTake() => _queue.TryDequeue();

    public void Return(PooledJob job) => _queue.TryEnqueue(job);
}
