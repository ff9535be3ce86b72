using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A bounded, lock-free multi-producer multi-consumer store of free objects: the pooled
/// completion sources of the async forms (<see cref="AsyncJob{TBody, TResult}"/>) and the shared
/// overflow store of <see cref="ParticipantObjectPool{T}"/>. Taking from an empty store or
/// giving to a full one fails at once (the caller creates a new object, or drops one): it never
/// blocks, never allocates after construction, and never holds more than its capacity.
/// </summary>
/// <remarks>
/// <para>D. Vyukov's bounded MPMC queue, as in <see cref="InjectorRing"/>, without the waiting:
/// a power-of-two array of cells with per-cell sequence numbers. Invariants: the cell for
/// position p is writable when its sequence equals p, readable when it equals p + 1, and a
/// taker frees it for the next lap by setting it to p + capacity. <c>_tail</c> and <c>_head</c>
/// only grow; a CAS on one of them claims a position, and only the claimer touches that cell
/// until it publishes the new sequence with a release store, so an object is never handed to
/// two takers and never lost (no ABA: the positions are 64-bit and never reused).</para>
/// <para>Fences: the claimer's CAS is a full fence; the release store of the sequence orders the
/// cell's value write before it (a giver) or the value read and clear before it (a taker), and
/// the acquire read of the sequence by the next claimer of that cell orders its access after.
/// A claimer that is preempted between its CAS and its release store makes the cell look full
/// (or empty) to the next lap: a store this small then answers "empty" or "full" for a moment,
/// which costs one new object or one dropped object, never correctness.</para>
/// </remarks>
internal sealed class BoundedFreeList<T>
    where T : class
{
    private struct Cell
    {
        public long Sequence;
        public T? Item;
    }

    private readonly Cell[] _cells;
    private readonly long _mask;
    private PaddedInt64 _head;
    private PaddedInt64 _tail;

    /// <param name="capacity">The most objects kept; rounded up to a power of two (at least 2).</param>
    internal BoundedFreeList(int capacity)
    {
        Debug.Assert(capacity >= 1);
        int size = (int)Math.Max(2, BitOperations.RoundUpToPowerOf2((uint)capacity));
        _cells = new Cell[size];
        for (int i = 0; i < size; i++)
        {
            _cells[i].Sequence = i;
        }

        _mask = size - 1;
    }

    /// <summary>How many objects the store keeps at most.</summary>
    internal int Capacity => _cells.Length;

    /// <summary>Approximate number of objects kept (diagnostics and tests).</summary>
    internal int Count
    {
        get
        {
            long size = Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head.Value);
            return size <= 0 ? 0 : (int)Math.Min(size, _cells.Length);
        }
    }

    /// <summary>Any thread: keeps <paramref name="item"/>; false, with nothing kept, when the store is full.</summary>
    internal bool TryAdd(T item)
    {
        Debug.Assert(item is not null);
        Cell[] cells = _cells;
        long position = Volatile.Read(ref _tail.Value);
        while (true)
        {
            ref Cell cell = ref cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - position;
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref _tail.Value, position + 1, position);
                if (seen == position)
                {
                    cell.Item = item;
                    // Release: the item is visible to the taker that sees this sequence.
                    Volatile.Write(ref cell.Sequence, position + 1);
                    return true;
                }

                position = seen;
            }
            else if (difference < 0)
            {
                // The cell still holds an item from the previous lap: full.
                return false;
            }
            else
            {
                position = Volatile.Read(ref _tail.Value);
            }
        }
    }

    /// <summary>Any thread: takes a kept object, or null when the store is empty.</summary>
    internal T? TryTake()
    {
        Cell[] cells = _cells;
        long position = Volatile.Read(ref _head.Value);
        while (true)
        {
            ref Cell cell = ref cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            long difference = sequence - (position + 1);
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref _head.Value, position + 1, position);
                if (seen == position)
                {
                    T? item = cell.Item;
                    cell.Item = null;
                    // Release: the read and the clear happen before a giver of the next lap writes.
                    Volatile.Write(ref cell.Sequence, position + _mask + 1);
                    Debug.Assert(item is not null, "A published cell holds an item.");
                    return item;
                }

                position = seen;
            }
            else if (difference < 0)
            {
                // Nothing published at this position yet: empty.
                return null;
            }
            else
            {
                position = Volatile.Read(ref _head.Value);
            }
        }
    }

    /// <summary>A capacity that suits a store shared by every thread of the process.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int ProcessCapacity(int perProcessor, int minimum) =>
        Math.Max(minimum, perProcessor * Environment.ProcessorCount);
}
