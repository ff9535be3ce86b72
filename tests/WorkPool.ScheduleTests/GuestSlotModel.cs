namespace WorkPool.ScheduleTests;

/// <summary>What a copy of the guest slots' occupancy protocol breaks (see <see cref="GuestSlotModel"/>).</summary>
internal enum GuestSlotMutation
{
    /// <summary>The protocol as GuestSlots.cs and Participant.Guest.cs have it.</summary>
    None,

    /// <summary>TryOccupy sees Free, then writes Occupied with a plain store instead of a CAS (R25).</summary>
    OccupyWithoutCas,

    /// <summary>The occupant frees the slot before its thread gets its own context back (EndGuestCall in the other order, R25).</summary>
    FreeBeforeContextRestored,

    /// <summary>TryClose sees Free, then writes Closed with a plain store instead of a CAS (R29).</summary>
    CloseWithoutCas,
}

/// <summary>
/// The guest slots' occupancy protocol (GuestSlots.TryEnter/CloseAll, Worker.TryOccupy,
/// TryClose, BeginGuestCall and EndGuestCall) transcribed with a schedule point at each step,
/// including between the steps the real code does in one go (where the explorer cannot switch
/// threads in the real pool): the occupancy word per slot, and the thread-static context, as the
/// number of threads whose current context is the slot's (at most one: R25). A call that finds
/// no slot takes the fallback (counted). Keep it in step with those files.
/// </summary>
internal sealed class GuestSlotModel(int slots, GuestSlotMutation mutation)
{
    private readonly int[] _occupancy = new int[slots];
    private readonly int[] _contextHolders = new int[slots];
    private bool _closedAll;

    internal int GuestCalls { get; private set; }

    internal int FallbackCalls { get; private set; }

    /// <summary>One call from outside: enter a slot (or fall back), run a body of one schedule point, leave.</summary>
    internal void Call(string who)
    {
        int slot = TryEnter();
        if (slot < 0)
        {
            FallbackCalls++;
            SchedulePoint.Hit();
            return;
        }

        Assert.False(_closedAll, $"{who} runs a guest call in slot {slot} after CloseAll returned.");
        GuestCalls++;
        SchedulePoint.Hit(); // the body
        Leave(slot);
    }

    /// <summary>Dispose's GuestSlots.CloseAll: close each slot, spinning while it is occupied.</summary>
    internal void CloseAll()
    {
        for (int slot = 0; slot < slots; slot++)
        {
            while (!TryClose(slot))
            {
                SchedulePoint.Spin();
            }
        }

        _closedAll = true;
    }

    private int TryEnter()
    {
        for (int slot = 0; slot < slots; slot++)
        {
            if (TryOccupy(slot))
            {
                // BeginGuestCall: the slot's context becomes the thread's.
                SchedulePoint.Hit();
                _contextHolders[slot]++;
                Assert.True(_contextHolders[slot] == 1, $"Two threads have guest slot {slot}'s context as their own.");
                return slot;
            }
        }

        return -1;
    }

    private bool TryOccupy(int slot)
    {
        SchedulePoint.Hit();
        if (Volatile.Read(ref _occupancy[slot]) != GuestSlots.Free)
        {
            return false;
        }

        SchedulePoint.Hit();
        if (mutation == GuestSlotMutation.OccupyWithoutCas)
        {
            Volatile.Write(ref _occupancy[slot], GuestSlots.Occupied);
            return true;
        }

        return Interlocked.CompareExchange(ref _occupancy[slot], GuestSlots.Occupied, GuestSlots.Free) == GuestSlots.Free;
    }

    /// <summary>EndGuestCall: the thread's own context back, then the release store of Free.</summary>
    private void Leave(int slot)
    {
        if (mutation == GuestSlotMutation.FreeBeforeContextRestored)
        {
            Volatile.Write(ref _occupancy[slot], GuestSlots.Free);
            SchedulePoint.Hit();
            _contextHolders[slot]--;
            return;
        }

        _contextHolders[slot]--;
        SchedulePoint.Hit();
        Volatile.Write(ref _occupancy[slot], GuestSlots.Free);
    }

    private bool TryClose(int slot)
    {
        SchedulePoint.Hit();
        if (mutation == GuestSlotMutation.CloseWithoutCas)
        {
            int seen = Volatile.Read(ref _occupancy[slot]);
            if (seen == GuestSlots.Free)
            {
                SchedulePoint.Hit();
                Volatile.Write(ref _occupancy[slot], GuestSlots.Closed);
            }

            return seen != GuestSlots.Occupied;
        }

        return Interlocked.CompareExchange(ref _occupancy[slot], GuestSlots.Closed, GuestSlots.Free) != GuestSlots.Occupied;
    }
}
