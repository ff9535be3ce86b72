using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// A countdown that one owner thread waits on, as bits of a 64-bit word: the pending count
/// (bits 0–30) and a "waiter parked" flag (bit 31). The high half is left to the user of the
/// word (a scope keeps its generation there). Keeping count and flag in one word makes the
/// no-lost-wake-up argument a single atomic step on each side.
/// </summary>
/// <remarks>
/// Whoever brings the count to zero sees the flag in the result of its decrement and unparks
/// the owner; the owner sets the flag with a CAS that fails when the count is already zero.
/// Either the owner's CAS sees zero or the decrement sees the flag. A completer must read
/// everything it needs (the owner's parker) before its decrement and touch nothing of the
/// structure after it: the owner may reuse it as soon as it sees zero. An unpark that arrives
/// after the owner moved on leaves a stale permit, which every wait tolerates (it re-checks).
/// </remarks>
internal static class ParkingCount
{
    internal const long PendingMask = 0x7FFF_FFFF;
    internal const long ParkedFlag = 0x8000_0000;

    /// <summary>True when the count is zero (acquire: what completers wrote before their decrement is visible).</summary>
    internal static bool IsZero(ref long word) => (Volatile.Read(ref word) & PendingMask) == 0;

    /// <summary>Holders of <paramref name="count"/> counts are done: subtract (a full fence), and unpark <paramref name="owner"/> if these were the last and it parked.</summary>
    internal static void Complete(ref long word, Parker owner, int count = 1)
    {
        Debug.Assert(count > 0 && (Volatile.Read(ref word) & PendingMask) >= count, "More completions than counts.");
        SchedulePoint.Hit();
        long after = Interlocked.Add(ref word, -count);
        Debug.Assert((after & PendingMask) != PendingMask, "More completions than counts.");
        if ((after & (PendingMask | ParkedFlag)) == ParkedFlag)
        {
            owner.Unpark();
        }
    }

    /// <summary>Owner, before parking: sets the flag; false (do not park) when the count is already zero.</summary>
    internal static bool TryRegisterWaiter(ref long word)
    {
        long current = Volatile.Read(ref word);
        while ((current & PendingMask) != 0)
        {
            SchedulePoint.Hit();
            long seen = Interlocked.CompareExchange(ref word, current | ParkedFlag, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Owner, after waking: withdraws the flag.</summary>
    internal static void UnregisterWaiter(ref long word)
    {
        SchedulePoint.Hit();
        Interlocked.And(ref word, ~ParkedFlag);
    }
}
