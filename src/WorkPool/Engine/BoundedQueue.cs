using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A bounded multi-producer, multi-consumer queue of references: a power-of-two array of
/// preallocated slots with per-slot sequence numbers (D. Vyukov's bounded MPMC queue), the same
/// algorithm as the <see cref="InjectorRing"/> without its waiting producers. It never allocates
/// after construction; <see cref="TryEnqueue"/> fails only when it is full (every slot holds an
/// item no consumer has claimed) and <see cref="TryDequeue"/> only when it is empty. A dequeue
/// that meets a producer between its claim and its publication waits for that publication, and an
/// enqueue that meets a consumer between its claim and its release waits for that release: the
/// queue is neither empty nor full then, and a job cache that believed either would allocate.
/// </summary>
/// <remarks>
/// Invariants: a slot for position p is writable when its sequence equals p, readable when it
/// equals p + 1, and a consumer frees it for the next lap by setting it to p + capacity.
/// <c>tail</c> and <c>head</c> only grow; a CAS on them claims a position, and only the claimer
/// touches that slot until it publishes the new sequence with a release store (the producer's
/// store makes the item visible with it; the consumer's makes the slot writable again only after
/// it read the item).
/// </remarks>
internal sealed class BoundedQueue<T>
    where T : class
{
    private struct Slot
    {
        public long Sequence;
        public T? Item;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private PaddedInt64 _head;
    private PaddedInt64 _tail;

    internal BoundedQueue(int capacity)
    {
        Debug.Assert(capacity >= 2 && (capacity & (capacity - 1)) == 0, "Capacity must be a power of two of at least 2.");
        _slots = new Slot[capacity];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = capacity - 1;
    }

    internal int Capacity => _slots.Length;

    /// <summary>Appends <paramref name="item"/>; false when the queue is full.</summary>
    internal bool TryEnqueue(T item)
    {
        long position = Volatile.Read(ref _tail.Value);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            SchedulePoint.Hit();
            long lag = Volatile.Read(ref slot.Sequence) - position;
            if (lag == 0)
            {
                long observed = Interlocked.CompareExchange(ref _tail.Value, position + 1, position);
                if (observed == position)
                {
                    slot.Item = item;
                    // Release: a consumer that sees the sequence also sees the item.
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }

                position = observed;
            }
            else if (lag < 0)
            {
                // The slot still belongs to the lap before. Full only when no consumer has
                // claimed that lap's item yet (head has not passed it); otherwise a consumer sits
                // between its head CAS and its release of this slot (a few instructions, unless
                // it was preempted). Wait for it rather than report a queue full that holds a
                // single item: a job cache that looked full would grow (R43 in
                // docs/design/jobs.md).
                if (Volatile.Read(ref _head.Value) <= position - _slots.Length)
                {
                    return false; // full
                }

                WaitForRelease(ref slot, position);
            }
            else
            {
                position = Volatile.Read(ref _tail.Value);
            }
        }
    }

    /// <summary>Takes the oldest item, or null when the queue is (or looks) empty.</summary>
    internal T? TryDequeue()
    {
        long position = Volatile.Read(ref _head.Value);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            SchedulePoint.Hit();
            long lag = Volatile.Read(ref slot.Sequence) - (position + 1);
            if (lag == 0)
            {
                long observed = Interlocked.CompareExchange(ref _head.Value, position + 1, position);
                if (observed == position)
                {
                    T? item = slot.Item;
                    Debug.Assert(item is not null, "A published slot holds an item.");
                    slot.Item = null;
                    // Release: the producer of the next lap writes the slot only after this read.
                    Volatile.Write(ref slot.Sequence, position + _mask + 1);
                    return item;
                }

                position = observed;
            }
            else if (lag < 0)
            {
                if (Volatile.Read(ref _tail.Value) == position)
                {
                    return null; // empty
                }

                // A producer claimed this position and has not published it yet (a few
                // instructions, unless it was preempted). Wait for it rather than report an empty
                // queue that holds items: a job cache that looked empty would allocate a job the
                // shape already owns, and "0 B after the first call" would depend on preemption.
                WaitForPublication(ref slot, position);
            }
            else
            {
                position = Volatile.Read(ref _head.Value);
            }
        }
    }

    /// <summary>
    /// Pauses (yielding now and then) until the producer that claimed <paramref name="position"/>
    /// publishes it. <see cref="SpinPolicy.Pause"/>, not <see cref="SpinWait"/>: a
    /// <c>Thread.Sleep(0)</c> would throw <see cref="ThreadInterruptedException"/> on a thread
    /// with an interrupt pending, between a spawn's count and its publication.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WaitForPublication(ref Slot slot, long position)
    {
        for (int round = 0; Volatile.Read(ref slot.Sequence) - (position + 1) < 0; round++)
        {
            SpinPolicy.Pause(round);
        }
    }

    /// <summary>Pauses (as <see cref="WaitForPublication"/>) until the consumer that claimed the item one lap before <paramref name="position"/> frees its slot.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WaitForRelease(ref Slot slot, long position)
    {
        for (int round = 0; Volatile.Read(ref slot.Sequence) - position < 0; round++)
        {
            SpinPolicy.Pause(round);
        }
    }
}
