namespace WorkPool;

/// <summary>
/// Something a thread waits for. The waiter spins on <see cref="IsMet"/>, then registers
/// itself so that whoever makes the condition true unparks it, re-checks, and parks.
/// </summary>
/// <remarks>
/// Registration and the event that meets the condition must form a Dekker pair (each side
/// writes, fences, then reads the other's variable) so that either the waker sees the
/// registration or <see cref="TryRegister"/> sees the condition met; that is what makes a lost
/// wake-up impossible.
/// </remarks>
internal interface IWakeCondition
{
    /// <summary>True when the wait is over. May act (e.g. enqueue) to make itself true.</summary>
    bool IsMet();

    /// <summary>Register <paramref name="waiter"/> to be unparked; false if the condition was met meanwhile (do not park).</summary>
    bool TryRegister(ThreadContext waiter);

    /// <summary>Undo <see cref="TryRegister"/> after waking (a no-op if the waker already did).</summary>
    void Unregister(ThreadContext waiter);
}
