using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// The bounded multi-producer, multi-consumer queue through which threads that are not workers
/// of the pool hand it jobs: a power-of-two array of preallocated slots with per-slot sequence
/// numbers (D. Vyukov's bounded MPMC queue). It never allocates after construction. When it is
/// full a producer waits (spin, then park) for a consumer to free a slot: a job is never
/// dropped, and one producer's jobs stay in FIFO order because it enqueues one at a time.
/// </summary>
/// <remarks>
/// <para>Invariants: a slot for position p is writable when its sequence equals p, readable when
/// it equals p + 1, and a consumer frees it for the next lap by setting it to p + capacity.
/// <c>tail</c> and <c>head</c> only grow; a CAS on them claims a position, and only the claimer
/// touches that slot until it publishes the new sequence with a release store.</para>
/// <para>Blocked producers register in a list guarded by a lock that no interrupt can break (a cold path: the ring is full).
/// A producer links itself and increments the waiter count under the lock (the increment is a
/// full fence), then retries; a consumer frees a slot with a fenced exchange, then reads the
/// count and, if it is not zero, unlinks and unparks the first waiter. One of the two sees the
/// other's write, so a freed slot is never missed by every waiting producer; each unparked
/// producer retries and re-registers if another producer took the slot first.</para>
/// </remarks>
internal sealed class InjectorRing
{
    private struct Slot
    {
        public long Sequence;
        public Job? Job;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private PaddedInt64 _head;
    private PaddedInt64 _tail;
    private PaddedInt32 _waitingProducers;

    // Blocked producers in registration order, linked through ThreadContext (no allocation).
    // The lock cannot be interrupted: a consumer that takes it has already taken a job out of
    // the ring, and an interrupt there would lose the job (see UninterruptibleLock).
    private UninterruptibleLock _waitersLock;
    private ThreadContext? _firstWaiter;
    private ThreadContext? _lastWaiter;

    internal InjectorRing(int capacity)
    {
        // With one slot, "freed for position p + 1" and "published at position p" would be the
        // same sequence number, and a producer could overwrite a job nobody has taken yet.
        Debug.Assert(capacity >= 2 && (capacity & (capacity - 1)) == 0, "Capacity must be a power of two of at least 2.");
        _slots = new Slot[capacity];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = capacity - 1;
    }

    internal int Capacity => _slots.Length;

    /// <summary>Approximate number of queued jobs.</summary>
    internal int Count
    {
        get
        {
            long size = Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head.Value);
            return size <= 0 ? 0 : (int)Math.Min(size, _slots.Length);
        }
    }

    /// <summary>Producers registered as blocked on a full ring (diagnostics and tests).</summary>
    internal int WaitingProducers => Volatile.Read(ref _waitingProducers.Value);

    /// <summary>Unsynchronized emptiness hint; may be stale.</summary>
    internal bool LooksEmpty => Volatile.Read(ref _head.Value) >= Volatile.Read(ref _tail.Value);

    /// <summary>Try to append; false when the ring is full. Never blocks.</summary>
    internal bool TryEnqueue(Job job)
    {
        // The producer's execution context travels with the job (see Job); the slot's sequence store publishes it.
        job.CaptureFlow();
        SchedulePoint.Hit();
        long position = Volatile.Read(ref _tail.Value);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            SchedulePoint.Hit();
            long sequence = Volatile.Read(ref slot.Sequence);
            long lag = sequence - position;
            if (lag == 0)
            {
                SchedulePoint.Hit();
                long observed = Interlocked.CompareExchange(ref _tail.Value, position + 1, position);
                if (observed == position)
                {
                    slot.Job = job;
                    SchedulePoint.Hit();
                    // Release: a consumer that sees the sequence also sees the job.
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }

                position = observed;
            }
            else if (lag < 0)
            {
                // The slot still holds the job from one lap ago: full.
                return false;
            }
            else
            {
                position = Volatile.Read(ref _tail.Value);
            }
        }
    }

    /// <summary>Take the oldest job, or null when the ring is (or looks) empty.</summary>
    internal Job? TryDequeue()
    {
        SchedulePoint.Hit();
        long position = Volatile.Read(ref _head.Value);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            SchedulePoint.Hit();
            long sequence = Volatile.Read(ref slot.Sequence);
            long lag = sequence - (position + 1);
            if (lag == 0)
            {
                SchedulePoint.Hit();
                long observed = Interlocked.CompareExchange(ref _head.Value, position + 1, position);
                if (observed == position)
                {
                    Job? job = slot.Job;
                    Debug.Assert(job is not null, "A published slot holds a job.");
                    slot.Job = null;
                    SchedulePoint.Hit();
                    // Full fence while freeing the slot: orders the free before the read of
                    // _waitingProducers (the consumer side of the producer/consumer Dekker pair).
                    Interlocked.Exchange(ref slot.Sequence, position + _mask + 1);
                    SchedulePoint.Hit();
                    if (Volatile.Read(ref _waitingProducers.Value) != 0)
                    {
                        TryWakeFirstProducer();
                    }

                    return job;
                }

                position = observed;
            }
            else if (lag < 0)
            {
                // Empty, or the producer that claimed this position has not published yet. No
                // worker parks meanwhile: LooksEmpty compares head with tail, so the claimed
                // position counts as visible work and idle workers keep searching until it lands.
                return null;
            }
            else
            {
                position = Volatile.Read(ref _head.Value);
            }
        }
    }

    /// <summary>
    /// Producer: register <paramref name="waiter"/> as blocked on a full ring, then retry once.
    /// True when the job went in (the waiter is not registered then); false when the waiter is
    /// registered and may park: a consumer that frees a slot will unpark it.
    /// </summary>
    internal bool RegisterWaiterOrEnqueue(ThreadContext waiter, Job job)
    {
        _waitersLock.Enter();
        try
        {
            Debug.Assert(!waiter.IsRingWaiter);
            waiter.IsRingWaiter = true;
            waiter.NextRingWaiter = null;
            if (_lastWaiter is null)
            {
                _firstWaiter = waiter;
            }
            else
            {
                _lastWaiter.NextRingWaiter = waiter;
            }

            _lastWaiter = waiter;

            // Counted together with the link (Unlink uncounts under the same lock), so the count
            // never falls below the list length and a consumer never skips a listed waiter.
            Interlocked.Increment(ref _waitingProducers.Value);
        }
        finally
        {
            _waitersLock.Exit();
        }

        // The increment was a full fence; now retry: the producer side of the Dekker pair.
        // (TryEnqueue starts with a schedule point.)
        if (TryEnqueue(job))
        {
            if (!UnregisterWaiter(waiter))
            {
                // R41: a consumer freed a slot and spent its wake-up on us (it unlinked us) while
                // our own retry got in, possibly into another slot: pass the wake-up on, or a freed
                // slot can stay free while every listed producer sleeps.
                TryWakeFirstProducer();
            }

            return true;
        }

        return false;
    }

    /// <summary>Producer, after waking: leave the waiter list if a consumer has not already removed it.</summary>
    /// <returns>True when this call removed the waiter; false when a consumer had already unlinked (and unparked) it.</returns>
    internal bool UnregisterWaiter(ThreadContext waiter)
    {
        _waitersLock.Enter();
        try
        {
            if (!waiter.IsRingWaiter)
            {
                return false;
            }

            ThreadContext? previous = null;
            for (ThreadContext? node = _firstWaiter; node is not null; previous = node, node = node.NextRingWaiter)
            {
                if (node == waiter)
                {
                    Unlink(previous, node);
                    return true;
                }
            }

            Debug.Fail("A registered waiter is in the list.");
            return false;
        }
        finally
        {
            _waitersLock.Exit();
        }
    }

    /// <summary>
    /// A producer that a consumer may have woken leaves without enqueueing (the pool's gate
    /// refused it): it passes the wake-up on to the next registered producer, if any, or the slot
    /// freed for it can stay free while the others sleep (R47 in docs/design/dispose-gate.md).
    /// </summary>
    internal void PassWakeUpOn()
    {
        if (Volatile.Read(ref _waitingProducers.Value) != 0)
        {
            TryWakeFirstProducer();
        }
    }

    /// <summary>Unlinks the first registered producer and unparks it; false when none is registered.</summary>
    private bool TryWakeFirstProducer()
    {
        ThreadContext? woken;
        _waitersLock.Enter();
        try
        {
            woken = _firstWaiter;
            if (woken is null)
            {
                return false;
            }

            Unlink(null, woken);
        }
        finally
        {
            _waitersLock.Exit();
        }

        woken.Parker.Unpark();
        return true;
    }

    /// <summary>
    /// Dispose, after closing the pool's gate: unpark every registered producer, so that each
    /// one retries, finds the gate closed and gives up (nobody will free a slot for it once the
    /// workers have drained the ring and exited).
    /// </summary>
    internal void WakeAllProducers()
    {
        while (TryWakeFirstProducer())
        {
        }
    }

    // Caller holds _waitersLock.
    private void Unlink(ThreadContext? previous, ThreadContext node)
    {
        if (previous is null)
        {
            _firstWaiter = node.NextRingWaiter;
        }
        else
        {
            previous.NextRingWaiter = node.NextRingWaiter;
        }

        if (_lastWaiter == node)
        {
            _lastWaiter = previous;
        }

        node.NextRingWaiter = null;
        node.IsRingWaiter = false;
        Interlocked.Decrement(ref _waitingProducers.Value);
    }
}
