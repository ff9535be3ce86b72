using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A pool's guest slots: participants without a thread of their own, preallocated with the
/// pool, that a thread outside every pool takes for the length of one call (Install, Join, Scope
/// or a loop). The calling thread then runs the work itself, as one more participant: its Joins
/// record frames and promote halves onto the slot's deque, where workers steal them; its waits
/// help; <see cref="WorkStealingPool.Current"/> and <see cref="ForkJoin"/> act on the pool. No
/// round trip to a worker is left on the common path. The protocol and its races are in
/// docs/design/guests.md.
/// </summary>
/// <remarks>
/// <para>Each slot's occupancy word moves Free → Occupied by the entering thread's CAS, back to
/// Free by its release store when the call ends, and Free → Closed by Dispose's CAS. So one
/// thread at a time owns a slot's owner-only state (frames, deque bottom, job caches, context),
/// and the release/CAS pair orders everything one occupant wrote before everything the next one
/// reads. A guest leaves only with an empty deque and no frame: every Join, scope and loop it
/// ran waited for its shared parts, and its fire-and-forget spawns go through the injector
/// ring, not its deque. Thieves may still read the deque's indices after it left; the deque
/// allows that at any time.</para>
/// <para>While the call runs, the thread's thread-static context is the slot's own (see
/// <see cref="ThreadContext.Current"/>), so everything keyed by the context (job slots, scope
/// states, the parker that halves' completions unpark) is the slot's. The thread's own context
/// comes back when the call ends.</para>
/// </remarks>
internal sealed class GuestSlots
{
    internal const int Free = 0;
    internal const int Occupied = 1;
    internal const int Closed = 2;

    private readonly Participant[] _guests;

    internal GuestSlots(Participant[] guests) => _guests = guests;

    /// <summary>
    /// Takes a free guest slot for the calling thread (outside every pool; its context is
    /// <paramref name="outside"/>) and makes the slot its current
    /// participant, with <paramref name="stackTop"/> (an address in the caller's frame) above
    /// every frame of the call. Null when every slot is taken, the pool has none, or Dispose
    /// closed them: the caller then hands the work to the workers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe Participant? TryEnter(ThreadContext outside, void* stackTop)
    {
        Debug.Assert(outside == ThreadContext.CurrentOrNull && outside.Participant is null, "Only a thread outside every pool becomes a guest.");
        Participant[] guests = _guests;
        int hint = outside.GuestHint;
        if ((uint)hint < (uint)guests.Length && guests[hint].TryOccupy())
        {
            Participant guest = guests[hint];
            guest.BeginGuestCall(stackTop, outside);
            return guest;
        }

        return TryEnterAny(outside, stackTop);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe Participant? TryEnterAny(ThreadContext outside, void* stackTop)
    {
        Participant[] guests = _guests;
        if (guests.Length == 0)
        {
            return null;
        }

        // Spread threads over the slots by id, so that each usually finds its own slot free.
        int start = (int)((uint)Environment.CurrentManagedThreadId % (uint)guests.Length);
        for (int i = 0; i < guests.Length; i++)
        {
            int index = (start + i) % guests.Length;
            if (guests[index].TryOccupy())
            {
                outside.GuestHint = index;

                guests[index].BeginGuestCall(stackTop, outside);
                return guests[index];
            }
        }

        return null;
    }

    /// <summary>Ends the call of <paramref name="guest"/>'s occupant: gives the thread back its own context (<paramref name="outside"/>) and frees the slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Leave(Participant guest, ThreadContext? outside) => guest.EndGuestCall(outside);

    /// <summary>
    /// Dispose: closes every slot, waiting for each occupied one to be left first, so that no
    /// guest call is in progress afterwards and none can start.
    /// </summary>
    internal void CloseAll()
    {
        var polling = new PollingWaiter(ThreadContext.Current);
        foreach (Participant guest in _guests)
        {
            var closed = new GuestSlotClosed(guest);
            WaitLoop.Run(ref closed, ref polling);
        }
    }
}
