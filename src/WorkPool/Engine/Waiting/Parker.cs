namespace WorkPool;

/// <summary>
/// A binary permit on which exactly one thread, its owner, blocks; any thread may release it.
/// Every thread that waits on the pool owns one for its whole life, so blocking never creates
/// a new event, mutex or condition variable (which would allocate on the cold path).
/// </summary>
/// <remarks>
/// Contract: <see cref="Park()"/> returns after at least one <see cref="Unpark"/> that happened
/// since the previous <see cref="Park()"/> returned, and it may also return spuriously (for
/// example for a permit left over from an earlier wake-up). Callers therefore always re-check
/// their own condition in a loop. Both operations are cold paths: the engine parks only after
/// its spin budget, and unparks a thread that announced it is parking, or every worker at
/// shutdown; wake-ups that arrive after the thread already left are what leave stale permits.
/// </remarks>
internal sealed class Parker
{
    // A plain object, not System.Threading.Lock: Monitor.Wait/Pulse need a Monitor-owned lock.
    private readonly object _monitor = new();

    // 1 when a permit is available. Consumed only by the owner with an atomic exchange, so a
    // concurrent Unpark is never overwritten by a plain store; the exchange also orders the
    // owner's later reads after the waker's writes (Interlocked is a full fence).
    private int _permit;

    /// <summary>Blocks the owner until a permit is available, then consumes it.</summary>
    public void Park()
    {
        SchedulePoint.Hit(); // none inside the lock: the exploration build switches threads only outside it, or in Monitor.Wait
        if (Interlocked.Exchange(ref _permit, 0) != 0)
        {
            return;
        }

        lock (_monitor)
        {
            // Checked under the lock: an Unpark that sets the permit after this check must take
            // the lock to pulse, which it can only do once Wait has released it, so the pulse
            // cannot fall between the check and the wait.
            while (Interlocked.Exchange(ref _permit, 0) == 0)
            {
                Monitor.Wait(_monitor);
            }
        }
    }

    /// <summary>
    /// Blocks the owner until a permit is available (then consumes it and returns true) or
    /// about <paramref name="millisecondsTimeout"/> passed (returns false).
    /// </summary>
    public bool Park(int millisecondsTimeout)
    {
        SchedulePoint.Hit();
        if (Interlocked.Exchange(ref _permit, 0) != 0)
        {
            return true;
        }

        lock (_monitor)
        {
            // As in Park(): checked under the lock, so a pulse cannot fall between check and wait.
            if (Interlocked.Exchange(ref _permit, 0) != 0)
            {
                return true;
            }

            Monitor.Wait(_monitor, millisecondsTimeout);
            return Interlocked.Exchange(ref _permit, 0) != 0;
        }
    }

    /// <summary>Makes a permit available and wakes the owner if it is blocked.</summary>
    public void Unpark()
    {
        SchedulePoint.Hit();
        if (Interlocked.Exchange(ref _permit, 1) != 0)
        {
            // A permit was already pending: the owner will consume it without blocking, or it
            // is blocked and the earlier Unpark's pulse is on its way.
            return;
        }

        SchedulePoint.Hit();
        lock (_monitor)
        {
            Monitor.Pulse(_monitor);
        }
    }
}
