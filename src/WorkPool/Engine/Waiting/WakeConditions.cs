using System.Diagnostics;

namespace WorkPool;

/// <summary>Wait until an awaited job is done.</summary>
internal readonly struct JobDone(AwaitedJob job) : IWakeCondition
{
    public bool IsMet() => job.IsDone;

    public bool TryRegister(ThreadContext waiter) => job.TryAnnounceParking();

    public void Unregister(ThreadContext waiter) => job.WithdrawParking();
}

/// <summary>Wait until a full injector ring accepts <c>job</c>; met once the job is in.</summary>
internal struct RingAccepts(InjectorRing ring, Job job) : IWakeCondition
{
    private bool _enqueued;

    public bool IsMet() => _enqueued || (_enqueued = ring.TryEnqueue(job));

    public bool TryRegister(ThreadContext waiter)
    {
        if (ring.RegisterWaiterOrEnqueue(waiter, job))
        {
            _enqueued = true;
            return false;
        }

        return true;
    }

    public readonly void Unregister(ThreadContext waiter) => ring.UnregisterWaiter(waiter);
}

/// <summary>
/// Wait until a full injector ring accepts <c>job</c> from a caller outside the pool, making each
/// attempt inside the pool's dispose gate and waiting outside it; met once the job is in
/// (<see cref="Enqueued"/>) or the gate is closed (Dispose: the job was not published).
/// </summary>
/// <remarks>
/// A producer registers as a ring waiter inside the gate and leaves the gate before it parks, so
/// Dispose, which waits for the gate to drain, finds every such producer registered and wakes it
/// (<see cref="InjectorRing.WakeAllProducers"/>); its next attempt finds the gate closed.
/// </remarks>
internal struct RingAcceptsThroughGate(WorkStealingPool pool, InjectorRing ring, Job job) : IWakeCondition
{
    private bool _refused;

    /// <summary>True once the job is in the ring.</summary>
    public bool Enqueued { get; private set; }

    public bool IsMet()
    {
        if (Enqueued || _refused)
        {
            return true;
        }

        if (ring.Count >= ring.Capacity)
        {
            // Still full: spin without touching the gate's line.
            return false;
        }

        if (!pool.TryEnterGate())
        {
            // Refused (Dispose started): a consumer may have spent its wake-up on us (R47).
            _refused = true;
            ring.PassWakeUpOn();
            return true;
        }

        try
        {
            Enqueued = ring.TryEnqueue(job);
        }
        finally
        {
            pool.ExitGate();
        }

        return Enqueued;
    }

    public bool TryRegister(ThreadContext waiter)
    {
        if (!pool.TryEnterGate())
        {
            _refused = true;
            ring.PassWakeUpOn();
            return false;
        }

        try
        {
            if (ring.RegisterWaiterOrEnqueue(waiter, job))
            {
                Enqueued = true;
                return false;
            }

            return true;
        }
        finally
        {
            pool.ExitGate();
        }
    }

    public readonly void Unregister(ThreadContext waiter) => ring.UnregisterWaiter(waiter);
}

/// <summary>A worker's main loop: runs until the pool shuts down (Dispose unparks every worker).</summary>
internal readonly struct ShutdownRequested(WorkStealingPool pool) : IWakeCondition
{
    public bool IsMet() => pool.IsShuttingDown;

    public bool TryRegister(ThreadContext waiter) => !pool.IsShuttingDown;

    public void Unregister(ThreadContext waiter)
    {
    }
}

/// <summary>Wait until every worker ran its part of a broadcast.</summary>
internal readonly struct BroadcastDone(BroadcastRequest request) : IWakeCondition
{
    public bool IsMet() => request.IsDone;

    public bool TryRegister(ThreadContext waiter) => request.TryRegisterWaiter();

    public void Unregister(ThreadContext waiter) => request.UnregisterWaiter();
}

/// <summary>Wait until a scope's body and jobs have all finished.</summary>
internal readonly struct ScopeDone(ScopeState scope) : IWakeCondition
{
    public bool IsMet() => scope.IsDone;

    public bool TryRegister(ThreadContext waiter) => scope.TryRegisterWaiter();

    public void Unregister(ThreadContext waiter) => scope.UnregisterWaiter();
}

/// <summary>
/// Dispose waits until no caller is inside the pool's dispose gate (the gate is closed, so none
/// enters). Nobody signals it: it is polled (<see cref="PollingWaiter"/>), never registered.
/// </summary>
internal readonly struct DisposeGateDrained(WorkStealingPool pool) : IWakeCondition
{
    public bool IsMet() => pool.IsDisposeGateDrained;

    public bool TryRegister(ThreadContext waiter) => throw new UnreachableException("A polled wait never registers.");

    public void Unregister(ThreadContext waiter) => throw new UnreachableException("A polled wait never registers.");
}

/// <summary>
/// Dispose waits until a guest slot is closed: met once the slot went from free to closed (it
/// acts: the CAS is the attempt), so a call in progress finishes first. Polled, never registered.
/// </summary>
internal readonly struct GuestSlotClosed(Participant guest) : IWakeCondition
{
    public bool IsMet() => guest.TryClose();

    public bool TryRegister(ThreadContext waiter) => throw new UnreachableException("A polled wait never registers.");

    public void Unregister(ThreadContext waiter) => throw new UnreachableException("A polled wait never registers.");
}
