using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// A countdown that one owner thread waits on, packed into one 64-bit word so that every
/// transition is a single atomic step: <see cref="Pending"/> (bits 0–30), the
/// <see cref="WaiterParked"/> flag (bit 31) and a <see cref="Generation"/> (bits 32–63) that a
/// reused owner advances between uses (a scope state does, to tell live handles from stale
/// ones; a broadcast request leaves it at zero). A value is a snapshot; the shared word is a
/// field of this type that is only touched through the static methods below.
/// </summary>
/// <remarks>
/// <para>The protocol (<see cref="Complete"/>, <see cref="TryRegisterWaiter"/>,
/// <see cref="UnregisterWaiter"/>): whoever brings the count to zero sees the flag in the result
/// of its decrement and unparks the owner; the owner sets the flag with a CAS that fails when
/// the count is already zero. Either the owner's CAS sees zero or the decrement sees the flag:
/// no wake-up is lost.</para>
/// <para>Invariants: only holders of a count subtract, so the count never underflows into the
/// flag (asserted); only the owner sets or clears the flag. A completer reads everything it needs
/// (the owner's parker) before its decrement and touches nothing of the structure after it: the
/// owner may reuse it as soon as it sees zero. An unpark that arrives after the owner moved on
/// leaves a stale permit, which every wait tolerates (it re-checks).</para>
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = sizeof(long))]
internal readonly struct ParkingCount : IEquatable<ParkingCount>
{
    private const long PendingMask = 0x7FFF_FFFF;
    private const long WaiterParkedBit = 0x8000_0000;
    private const int GenerationShift = 32;

    /// <summary>The largest <see cref="Pending"/> count the word holds.</summary>
    internal const int MaxPending = (int)PendingMask;

    private readonly long _bits;

    /// <summary>A count of <paramref name="pending"/> in <paramref name="generation"/>, with no waiter parked.</summary>
    internal ParkingCount(uint generation, int pending)
    {
        Debug.Assert(pending is >= 0 and <= MaxPending, "The pending count fits in 31 bits.");
        _bits = ((long)generation << GenerationShift) | (uint)pending;
    }

    private ParkingCount(long bits) => _bits = bits;

    /// <summary>How many holders have not completed yet.</summary>
    internal int Pending => (int)(_bits & PendingMask);

    /// <summary>The owner registered to be unparked by the completion that brings the count to zero.</summary>
    internal bool WaiterParked => (_bits & WaiterParkedBit) != 0;

    /// <summary>The owner's use of the count (wraps after 2^32 uses).</summary>
    internal uint Generation => (uint)((ulong)_bits >> GenerationShift);

    /// <summary>This word with <paramref name="pending"/> counts; flag and generation unchanged.</summary>
    internal ParkingCount WithPending(int pending)
    {
        Debug.Assert(pending is >= 0 and <= MaxPending, "The pending count fits in 31 bits.");
        return new ParkingCount((_bits & ~PendingMask) | (uint)pending);
    }

    /// <summary>This word with the waiter-parked flag set; count and generation unchanged.</summary>
    internal ParkingCount WithWaiterParked() => new(_bits | WaiterParkedBit);

    /// <summary>Count zero, no waiter, in the generation after this one (the owner retires this use).</summary>
    internal ParkingCount NextGeneration()
    {
        Debug.Assert(Pending == 0, "A generation is retired only once its count is zero.");
        return new ParkingCount(unchecked(Generation + 1), pending: 0);
    }

    // ---- Atomic access to a shared word ----

    /// <summary>Reads <paramref name="location"/> with acquire semantics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ParkingCount VolatileRead(ref ParkingCount location) => new(Volatile.Read(ref Bits(ref location)));

    /// <summary>Writes <paramref name="value"/> to <paramref name="location"/> with release semantics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void VolatileWrite(ref ParkingCount location, ParkingCount value) => Volatile.Write(ref Bits(ref location), value._bits);

    /// <summary>CAS (a full fence): stores <paramref name="value"/> if <paramref name="location"/> holds <paramref name="comparand"/>; returns what it held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ParkingCount InterlockedCompareExchange(ref ParkingCount location, ParkingCount value, ParkingCount comparand) =>
        new(Interlocked.CompareExchange(ref Bits(ref location), value._bits, comparand._bits));

    /// <summary>Subtracts <paramref name="count"/> from the pending count (a full fence); returns the word after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ParkingCount InterlockedSubtractPending(ref ParkingCount location, int count) =>
        new(Interlocked.Add(ref Bits(ref location), -count));

    /// <summary>Clears the waiter-parked flag (a full fence), leaving count and generation as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InterlockedClearWaiterParked(ref ParkingCount location) => Interlocked.And(ref Bits(ref location), ~WaiterParkedBit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref long Bits(ref ParkingCount location) => ref Unsafe.As<ParkingCount, long>(ref location);

    // ---- The protocol ----

    /// <summary>True when the count is zero (acquire: what completers wrote before their decrement is visible).</summary>
    internal static bool IsZero(ref ParkingCount location) => VolatileRead(ref location).Pending == 0;

    /// <summary>Holders of <paramref name="count"/> counts are done: subtract (a full fence), and unpark <paramref name="owner"/> if these were the last and it parked.</summary>
    internal static void Complete(ref ParkingCount location, Parker owner, int count = 1)
    {
        Debug.Assert(count > 0 && VolatileRead(ref location).Pending >= count, "More completions than counts.");
        SchedulePoint.Hit();
        ParkingCount after = InterlockedSubtractPending(ref location, count);
        Debug.Assert(after.Pending != MaxPending, "More completions than counts.");
        if (after.Pending == 0 && after.WaiterParked)
        {
            owner.Unpark();
        }
    }

    /// <summary>Owner, before parking: sets the flag; false (do not park) when the count is already zero.</summary>
    internal static bool TryRegisterWaiter(ref ParkingCount location)
    {
        ParkingCount current = VolatileRead(ref location);
        while (current.Pending != 0)
        {
            SchedulePoint.Hit();
            ParkingCount seen = InterlockedCompareExchange(ref location, current.WithWaiterParked(), current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Owner, after waking: withdraws the flag.</summary>
    internal static void UnregisterWaiter(ref ParkingCount location)
    {
        SchedulePoint.Hit();
        InterlockedClearWaiterParked(ref location);
    }

    public bool Equals(ParkingCount other) => _bits == other._bits;

    public override bool Equals(object? obj) => obj is ParkingCount other && Equals(other);

    public override int GetHashCode() => _bits.GetHashCode();

    public static bool operator ==(ParkingCount left, ParkingCount right) => left.Equals(right);

    public static bool operator !=(ParkingCount left, ParkingCount right) => !left.Equals(right);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"generation {Generation}, {Pending} pending{(WaiterParked ? ", waiter parked" : "")}");
}

/// <summary>A <see cref="ParkingCount"/> with a full cache line of padding on each side.</summary>
[StructLayout(LayoutKind.Explicit, Size = CacheLine.Size * 2)]
internal struct PaddedParkingCount
{
    [FieldOffset(CacheLine.Size)]
    public ParkingCount Value;
}
