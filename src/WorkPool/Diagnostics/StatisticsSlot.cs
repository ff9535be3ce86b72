using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// One thread's counters in a pool's <see cref="StatisticsRegistry"/>: a worker's, or an outside
/// thread's (publications into the injector ring, time blocked on a full ring).
/// </summary>
/// <remarks>
/// <para>Single writer: only the thread that owns the slot writes its counters, with plain
/// stores (no interlocked operation, no fence), so counting costs an add into a line that the
/// owner already holds. Readers (<see cref="StatisticsRegistry.Read"/>, metrics, the dump) load
/// each counter with a volatile read, never write, and never make the owner wait: a reader can
/// see one counter a few increments behind another, never a torn or decreasing value (the
/// counters are 64-bit, read and written whole on 64-bit platforms).</para>
/// <para>Counters only grow and are never reset. An outside slot that passes from an exited
/// thread to a new one keeps its totals (the new owner adds to them), so every aggregate stays
/// monotonic and exact. The one shared slot of a registry, <see cref="IsShared"/>, serves the
/// outside threads that found every slot held by a live thread: several threads write it, so
/// its (cold-path) updates are interlocked.</para>
/// <para>Counts that belong to a job are made before the job completes (before the completing
/// exchange that releases its waiter), so a caller whose Install returned sees them.</para>
/// </remarks>
internal sealed class StatisticsSlot
{
    /// <summary>The counters, padded so that no other slot's writes share their cache lines.</summary>
    internal StatisticsCounters Counters;

    internal StatisticsSlot(int workerIndex, bool isShared, bool isGuest = false, int poolId = 0)
    {
        WorkerIndex = workerIndex;
        IsShared = isShared;
        IsGuest = isGuest;
        PoolId = poolId;
    }

    /// <summary>The id of the slot's pool in the <c>WorkPool</c> event source's events (see <see cref="WorkPoolEventSource"/>).</summary>
    internal int PoolId { get; }

    /// <summary>The participant index (a worker's, or a guest slot's), or −1 for a slot of outside threads.</summary>
    internal int WorkerIndex { get; }

    /// <summary>True for the slot of a guest slot (a participant without a thread, see <see cref="GuestSlots"/>).</summary>
    internal bool IsGuest { get; }

    /// <summary>True for the registry's overflow slot, which several outside threads update at once.</summary>
    internal bool IsShared { get; }

    /// <summary>The managed thread id of the slot's current (or last) owner; written when it claims the slot.</summary>
    internal int ManagedThreadId;

    /// <summary>How many threads have claimed this slot (outside slots pass to a new thread after their owner exits).</summary>
    internal int Claims;

    // ---- Worker counters: written by the owning worker only. ----

    /// <summary>The worker is about to execute a job (any source).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void JobRun()
    {
        if (Statistics.IsEnabled)
        {
            Counters.JobsRun++;
        }

        if (WorkPoolEventSource.JobsOn)
        {
            TraceJobStart();
        }
    }

    /// <summary>A steal attempt on a victim that looked non-empty: taken, or lost to a race.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StealAttempt(bool succeeded)
    {
        if (Statistics.IsEnabled)
        {
            if (succeeded)
            {
                Counters.JobsStolen++;
            }
            else
            {
                Counters.FailedSteals++;
            }
        }

        if (succeeded && WorkPoolEventSource.StealOn)
        {
            TraceSteal();
        }
    }

    /// <summary>An idle participant claimed another's offered Join half (counted as a steal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void OfferClaimed()
    {
        if (Statistics.IsEnabled)
        {
            Counters.JobsStolen++;
        }

        if (WorkPoolEventSource.ShareOn)
        {
            TraceOfferClaim();
        }
    }

    /// <summary>The worker took a job from the injector ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void InjectorJob()
    {
        if (Statistics.IsEnabled)
        {
            Counters.InjectorJobs++;
        }
    }

    /// <summary>The worker pushed a spawned job onto its deque; <paramref name="dequeDepth"/> is the deque's length after the push.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Spawned(int dequeDepth)
    {
        if (Statistics.IsEnabled)
        {
            Counters.JobsSpawned++;
            if (dequeDepth > Counters.MaxDequeDepth)
            {
                Counters.MaxDequeDepth = dequeDepth;
            }
        }
    }

    /// <summary>A Join's second half ran inline: nobody promoted it (the fast path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void JoinInline()
    {
        if (Statistics.IsEnabled)
        {
            Counters.JoinsInline++;
        }
    }

    /// <summary>A Join's second half was promoted to the deque; <paramref name="dequeDepth"/> is the deque's length after the push.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void JoinPromoted(int dequeDepth)
    {
        if (Statistics.IsEnabled)
        {
            Counters.JoinsPromoted++;
            if (dequeDepth > Counters.MaxDequeDepth)
            {
                Counters.MaxDequeDepth = dequeDepth;
            }
        }

        if (WorkPoolEventSource.ShareOn)
        {
            TracePromotion(dequeDepth);
        }
    }

    /// <summary>A promoted half was popped back by its own Join and run inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void JoinTakenBack()
    {
        if (Statistics.IsEnabled)
        {
            Counters.JoinsTakenBack++;
        }
    }

    /// <summary>A promoted half ran as a job (usually on another worker) and its Join waited for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void JoinHalfTaken()
    {
        if (Statistics.IsEnabled)
        {
            Counters.JoinHalvesTaken++;
        }
    }

    /// <summary>The worker is about to park.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Sleep()
    {
        if (Statistics.IsEnabled)
        {
            Counters.Sleeps++;
        }

        if (WorkPoolEventSource.SleepOn)
        {
            TracePark();
        }
    }

    /// <summary>The worker left its sleep; <paramref name="byNewWork"/> when a producer woke it with a searching token.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Woke(bool byNewWork)
    {
        if (Statistics.IsEnabled && byNewWork)
        {
            Counters.Wakeups++;
        }

        if (WorkPoolEventSource.SleepOn)
        {
            TraceUnpark(byNewWork);
        }

        return byNewWork;
    }

    /// <summary>
    /// An idle transition (the worker found nothing to do): sample the bytes its thread has
    /// allocated. Not per job: reading the counter costs a call into the runtime.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Idle()
    {
        if (Statistics.IsEnabled)
        {
            Counters.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread();
        }
    }

    // ---- Publisher counters: cold paths; interlocked only in the shared slot. ----

    /// <summary>
    /// The owner published a job into the injector ring: an Install, Join, loop or scope called
    /// from outside, a spawn from outside, or (rarely, on a worker's slot) a spawn that found the
    /// worker's deque full.
    /// </summary>
    internal void Installed()
    {
        if (Statistics.IsEnabled)
        {
            Add(ref Counters.Installs, 1);
        }
    }

    /// <summary>An outside thread found the ring full and waited <paramref name="ticks"/> (<see cref="Stopwatch"/> ticks) for a slot.</summary>
    internal void RingFullWait(long ticks)
    {
        if (Statistics.IsEnabled)
        {
            Add(ref Counters.RingFullWaits, 1);
            Add(ref Counters.RingBlockedTicks, ticks);
        }

        if (WorkPoolEventSource.RingOn)
        {
            WorkPoolEventSource.Log.RingFullWait(PoolId, (long)Stopwatch.GetElapsedTime(0, ticks).TotalMicroseconds);
        }
    }

    // ---- Events (see WorkPoolEventSource): off the inlined paths, reached only while a session listens. ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceJobStart() => WorkPoolEventSource.Log.JobStart(PoolId, WorkerIndex);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceSteal() => WorkPoolEventSource.Log.Steal(PoolId, WorkerIndex);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceOfferClaim() => WorkPoolEventSource.Log.OfferClaim(PoolId, WorkerIndex);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TracePromotion(int dequeDepth) => WorkPoolEventSource.Log.Promote(PoolId, WorkerIndex, dequeDepth);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TracePark() => WorkPoolEventSource.Log.Park(PoolId, WorkerIndex);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TraceUnpark(bool byNewWork) => WorkPoolEventSource.Log.Unpark(PoolId, WorkerIndex, byNewWork);

    private void Add(ref long counter, long value)
    {
        if (IsShared)
        {
            Interlocked.Add(ref counter, value);
        }
        else
        {
            counter += value;
        }
    }
}
