using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// A spin lock for the engine's few short critical sections on cold paths (the injector ring's
/// list of blocked producers). Unlike <c>lock</c> (<see cref="Monitor.Enter(object)"/>), which
/// throws <see cref="ThreadInterruptedException"/> when a thread with a pending interrupt finds
/// it taken, and unlike <see cref="SpinLock"/> and <see cref="SpinWait"/>, which sleep, it never
/// blocks in the runtime: it only pauses and yields (<see cref="SpinPolicy"/>), so an interrupt
/// can never leave a section half done. The sections it guards are a few list operations with
/// no allocation and no call out, so spinning is cheaper than any wait.
/// </summary>
internal struct UninterruptibleLock
{
    private int _held;

    /// <summary>Takes the lock: a CAS, then (when taken) pauses until it looks free and tries again.</summary>
    internal void Enter()
    {
        int round = 0;
        while (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            do
            {
                SpinPolicy.Pause(round++);
            }
            while (Volatile.Read(ref _held) != 0);
        }
    }

    /// <summary>Releases the lock (a release store: the section's writes are visible to the next holder).</summary>
    internal void Exit()
    {
        Debug.Assert(Volatile.Read(ref _held) == 1, "Only the holder releases the lock.");
        Volatile.Write(ref _held, 0);
    }
}
