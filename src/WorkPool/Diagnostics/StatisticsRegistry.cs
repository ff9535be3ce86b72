using System.Diagnostics;
using System.Runtime.CompilerServices;
using WorkPool.Diagnostics;

namespace WorkPool;

/// <summary>
/// A pool's per-thread statistics: a fixed array of padded <see cref="StatisticsSlot"/>s, one
/// per worker, a fixed number for outside threads that call into the pool, and one shared slot
/// for outside threads beyond that. It is created with the pool and never grows.
/// </summary>
/// <remarks>
/// <para>Worker slots belong to their worker from the start. An outside thread claims a slot the
/// first time it publishes into the pool: one compare-and-swap of its <see cref="Thread"/> into
/// a free owner cell, or into the cell of a thread that has exited (its slot is released for
/// reuse that way; the counters stay, so totals never go down). The slot is then cached in the
/// thread's <see cref="ThreadContext"/> (found through its thread-static), so later calls into
/// the same pool do one compare. A thread that alternates between pools scans the owner cells
/// for its own slot when it switches (a cold path: the calls are injections anyway).</para>
/// <para>Invariants: an owner cell changes only by CAS, from null or from a thread that is no
/// longer alive, to the claiming thread, so no live thread ever loses its slot and two threads
/// never own one slot. Everything a dead owner wrote is visible to its successor: the thread's
/// exit synchronizes with the claimer's <see cref="Thread.IsAlive"/> that returned false.
/// Readers take no lock and stop no one (see <see cref="StatisticsSlot"/>).</para>
/// </remarks>
internal sealed class StatisticsRegistry
{
    private readonly StatisticsSlot[] _slots;
    private readonly Thread?[] _owners;
    private readonly int _workerCount;
    private readonly int _participantCount;

    internal StatisticsRegistry(int workerCount, int guestCount, int outsideSlots, int poolId = 0)
    {
        Debug.Assert(workerCount > 0 && guestCount >= 0 && outsideSlots > 0);
        _workerCount = workerCount;
        _participantCount = workerCount + guestCount;
        _owners = new Thread?[outsideSlots];
        _slots = new StatisticsSlot[_participantCount + outsideSlots + 1];
        for (int i = 0; i < _slots.Length; i++)
        {
            bool isParticipant = i < _participantCount;
            _slots[i] = new StatisticsSlot(isParticipant ? i : -1, isShared: i == _slots.Length - 1, isGuest: isParticipant && i >= workerCount, poolId);
        }

        _slots[^1].ManagedThreadId = -1;
    }

    /// <summary>Slots for outside threads, the shared one not counted.</summary>
    internal int OutsideCapacity => _owners.Length;

    /// <summary>Every slot: workers, outside threads, and the shared one. Fixed for the registry's life.</summary>
    internal int SlotCount => _slots.Length;

    private StatisticsSlot SharedSlot => _slots[^1];

    /// <summary>The slot of worker <paramref name="index"/>.</summary>
    internal StatisticsSlot ParticipantSlot(int index) => _slots[index];

    /// <summary>Guest slots (participants without a thread).</summary>
    internal int GuestCount => _participantCount - _workerCount;

    /// <summary>
    /// The slot that counts the calling thread's publications into the injector: its worker slot
    /// when it is a worker of this pool (a spawn that found its deque full), else its outside slot.
    /// </summary>
    internal StatisticsSlot PublisherSlot(ThreadContext context) =>
        context.Participant is { } participant && participant.Pool.StatisticsRegistry == this ? _slots[participant.Index] : OutsideSlot(context);

    /// <summary>
    /// The calling outside thread's slot (claimed on its first call into this pool). A thread in
    /// a guest call of another pool has that slot's context as its current one, shared with every
    /// later occupant of the slot: the claim is cached in the thread's own context instead, so no
    /// two threads ever write one outside slot (R44 in docs/design/guests.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal StatisticsSlot OutsideSlot(ThreadContext context)
    {
        // The current context, or (a guest near its stack limit continuing on a worker, see
        // Participant.Stack.cs) the occupying thread's own context behind it.
        Debug.Assert(context == ThreadContext.CurrentOrNull || context == ThreadContext.CurrentOrNull?.Occupant, "A thread claims and caches its own slot.");
        ThreadContext own = context.Occupant ?? context;
        Debug.Assert(own.Participant is null || !own.Participant.IsGuest, "A guest slot's context is never a thread's own.");
        return own.StatisticsRegistry == this ? own.StatisticsSlot! : FindOrClaim(own);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StatisticsSlot FindOrClaim(ThreadContext context)
    {
        Debug.Assert(context.Occupant is null, "Claims are cached in a thread's own context.");
        StatisticsSlot slot = FindOwn() ?? Claim();
        context.StatisticsSlot = slot;
        context.StatisticsRegistry = this;
        return slot;
    }

    /// <summary>The slot the calling thread already owns here (it used this pool before, then another).</summary>
    private StatisticsSlot? FindOwn()
    {
        Thread current = Thread.CurrentThread;
        for (int i = 0; i < _owners.Length; i++)
        {
            if (Volatile.Read(ref _owners[i]) == current)
            {
                return _slots[_participantCount + i];
            }
        }

        return null;
    }

    private StatisticsSlot Claim()
    {
        Thread current = Thread.CurrentThread;

        // A free cell first, then the cell of an exited thread, then the shared slot.
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < _owners.Length; i++)
            {
                Thread? owner = Volatile.Read(ref _owners[i]);
                bool claimable = pass == 0 ? owner is null : owner is { IsAlive: false };
                if (claimable && Interlocked.CompareExchange(ref _owners[i], current, owner) == owner)
                {
                    StatisticsSlot slot = _slots[_participantCount + i];
                    Debug.Assert(slot.WorkerIndex < 0 && !slot.IsShared, "Owner cells map to outside slots.");
                    Debug.Assert(Volatile.Read(ref _owners[i]) == current, "Only the owner's death frees a claimed cell.");
                    slot.ManagedThreadId = current.ManagedThreadId;
                    slot.Claims++; // the slot is this thread's alone now
                    return slot;
                }
            }
        }

        Interlocked.Increment(ref SharedSlot.Claims);
        return SharedSlot;
    }

    /// <summary>Fills <paramref name="snapshot"/> with every worker slot and every outside slot that was ever claimed. Allocation-free once the snapshot has room.</summary>
    internal void Read(PoolStatistics snapshot)
    {
        snapshot.EnsureRows(_slots.Length);
        for (int i = 0; i < _slots.Length; i++)
        {
            StatisticsSlot slot = _slots[i];
            if (i < _participantCount || Volatile.Read(ref slot.Claims) > 0)
            {
                snapshot.AddRow(new ThreadStatistics(slot));
            }
        }

        Debug.Assert(snapshot.Workers.Length == _workerCount, "Every worker has a row.");
    }

    /// <summary>The sum over every slot (for metrics).</summary>
    internal ThreadStatistics Total()
    {
        ThreadStatistics total = default;
        foreach (StatisticsSlot slot in _slots)
        {
            total = ThreadStatistics.Sum(total, new ThreadStatistics(slot));
        }

        return total;
    }
}
