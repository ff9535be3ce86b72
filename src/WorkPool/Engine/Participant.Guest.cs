using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

// A guest slot's side of guest participation (see GuestSlots).
internal sealed partial class Participant
{
    /// <summary>A guest slot's occupancy: <see cref="GuestSlots.Free"/>, <see cref="GuestSlots.Occupied"/> or <see cref="GuestSlots.Closed"/>. Alone on its cache lines: entering threads CAS it.</summary>
    private PaddedInt32 _occupancy;

    /// <summary>
    /// Any thread outside the pool: takes this free slot, unless Dispose has started. The CAS
    /// acquires what the previous occupant released, and it is a full fence before the read of
    /// the dispose flag: either this read sees Dispose started (the slot is given back and the
    /// call refused), or Dispose's closing CAS on this slot comes later and waits for the call
    /// to end (R29).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryOccupy()
    {
        Debug.Assert(IsGuest);
        if (Volatile.Read(ref _occupancy.Value) != GuestSlots.Free
            || Interlocked.CompareExchange(ref _occupancy.Value, GuestSlots.Occupied, GuestSlots.Free) != GuestSlots.Free)
        {
            return false;
        }

        if (_pool.IsDisposed)
        {
            Volatile.Write(ref _occupancy.Value, GuestSlots.Free);
            return false;
        }

        return true;
    }

    /// <summary>Dispose: closes this slot if it is free. False while a guest occupies it.</summary>
    internal bool TryClose()
    {
        int state = Interlocked.CompareExchange(ref _occupancy.Value, GuestSlots.Closed, GuestSlots.Free);
        return state != GuestSlots.Occupied;
    }

    /// <summary>The new occupant (whose own context is <paramref name="outside"/>): this slot becomes the calling thread's participant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void BeginGuestCall(void* stackTop, ThreadContext outside)
    {
        Debug.Assert(_occupancy.Value == GuestSlots.Occupied);
        Debug.Assert(_newestFrame is null && _newestShared is null && _promotedCount == 0 && Deque.LooksEmpty && Context.Depth == 0, "A guest slot is left clean.");
        _stackBase = (nuint)stackTop;
        TakeStackLimitOf(outside);
        StartNewWork();
        Context.Occupant = outside;
        ThreadContext.SetCurrent(Context);
    }

    /// <summary>The occupant leaves: its thread gets <paramref name="outside"/> back as its context, and the slot is free (release: the next occupant sees this one's writes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void EndGuestCall(ThreadContext? outside)
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "The occupant leaves its own slot.");
        Debug.Assert(_newestFrame is null && _promotedCount == 0 && Deque.LooksEmpty && Context.Depth == 0, "A guest leaves no work behind.");
        Context.Occupant = null;
        ThreadContext.SetCurrent(outside);
        Volatile.Write(ref _occupancy.Value, GuestSlots.Free);
    }
}
