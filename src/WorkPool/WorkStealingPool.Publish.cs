using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

// Handing work in: an outside caller's fallback (no guest slot), publication into the rings from
// outside and from workers, and the dispose gate every outside publication passes
// (docs/design/dispose-gate.md).
public sealed partial class WorkStealingPool
{
    /// <summary>
    /// The fallback of Install, Join, Scope and loops called from outside (no guest slot free, or
    /// a participant of another pool): a worker runs <paramref name="work"/> while this thread
    /// waits (a participant of another pool keeps running its own pool's jobs meanwhile).
    /// </summary>
    /// <remarks>
    /// The body is copied to this frame and runs there, in place, through the thread's type-free
    /// install job for its nesting depth (<see cref="ThreadContext.InstallJobAt"/>), as a
    /// promoted Join half runs on its owner's stack: no per-type job, so no body type ever
    /// allocates one. The wait is uninterruptible, because the worker writes into this frame
    /// until the job is done (an interrupt stays pending for the caller's own code).
    /// </remarks>
    /// <returns>
    /// The exception the work threw, for the caller to rethrow after it copied results out of
    /// <paramref name="work"/> (which holds the body's final state either way).
    /// </returns>
    /// <summary>A guest near its stack limit: <paramref name="work"/> runs on a worker, as if its thread were outside the pool (see Participant.Stack.cs).</summary>
    internal ExceptionDispatchInfo? ContinueOnAWorker<TWork>(ref TWork work, ThreadContext occupant)
        where TWork : struct, IWork => InstallFromOutside(ref work, occupant);

    private unsafe ExceptionDispatchInfo? InstallFromOutside<TWork>(ref TWork work, ThreadContext? context)
        where TWork : struct, IWork
    {
        Debug.Assert(!IsParticipantOfThisPool(context));
        if (IsDisposed)
        {
            // Dispose has started (it may still wait for guest calls, with the gate open): a new
            // call is refused like one after it, also when a guest slot refused it for that.
            ThrowDisposed();
        }

        context ??= ThreadContext.Current;
        TWork local = work;
        try
        {
            int depth = context.Depth;
            FrameJob job = context.InstallJobAt(depth);
            job.Load(Unsafe.AsPointer(ref local), &FrameJob.RunBody<TWork>);
            // A participant of another pool waits for this job (see Dispose).
            job.WaiterPool = context.Participant?.Pool;
            job.WaiterChain = context.Participant is null ? null : context.RunningAwaited;
            context.Depth = depth + 1;
            if (!PublishFromOutside(context, job, awaited: true))
            {
                context.Depth = depth;
                job.Disarm();
                ThrowDisposed();
            }

            // Uninterruptible: the job points into this frame, and a later call reuses it.
            var done = new JobDone(job);
            context.WaitUninterruptibly(ref done, _options.SpinCount, isolated: false);
            context.Depth = depth;
            return job.TakeError();
        }
        finally
        {
            work = local;
        }
    }

    /// <summary>
    /// Outside callers: publish <paramref name="job"/> into a ring and wake a sleeper (the
    /// <see cref="InstallRing"/> when the caller waits for the job, <paramref name="awaited"/>;
    /// the <see cref="Injector"/> for spawns); false, with nothing published, once Dispose has
    /// closed the gate (or, when <paramref name="waitForRoom"/> is false, when the ring is full).
    /// </summary>
    /// <remarks>
    /// Each attempt to enqueue happens inside the gate, so once Dispose has seen the gate drain no
    /// outside job can arrive; but a caller that finds the ring full waits for room outside it.
    /// A worker of another pool runs its own pool's jobs while it waits, and one of them may
    /// dispose this pool: if the waiter held the gate, that Dispose would wait for its own thread
    /// forever (race R2 in docs/design/dispose-gate.md). Dispose wakes every waiting producer after it
    /// closed the gate (<see cref="InjectorRing.WakeAllProducers"/>); each one then finds the gate
    /// closed and gives up.
    /// </remarks>
    internal bool PublishFromOutside(ThreadContext context, Job job, bool waitForRoom = true, bool awaited = false)
    {
        if (!TryEnterGate())
        {
            return false;
        }

        InjectorRing ring = awaited ? _installRing : _injector;
        bool enqueued;
        try
        {
            enqueued = ring.TryEnqueue(job);
        }
        finally
        {
            ExitGate();
        }

        if (!enqueued)
        {
            if (!waitForRoom)
            {
                return false;
            }

            long blockedSince = Stopwatch.GetTimestamp();
            var accepted = new RingAcceptsThroughGate(this, ring, job);
            if (context.Participant is { } participant)
            {
                participant.WaitUntil(ref accepted, isolated: false);
            }
            else
            {
                context.WaitUntil(ref accepted, _options.SpinCount);
            }

            _statistics.PublisherSlot(context).RingFullWait(Stopwatch.GetTimestamp() - blockedSince);
            if (!accepted.Enqueued)
            {
                return false;
            }
        }

        _statistics.PublisherSlot(context).Installed();
        // Full fence between publishing the job and reading the sleeper count (see Sleepers).
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
        return true;
    }

    /// <summary>
    /// A worker of this pool whose deque is full: publish <paramref name="job"/> into the ring
    /// without the gate (a worker drains the ring before it exits, so Dispose cannot strand it),
    /// waiting for room while running the pool's jobs.
    /// </summary>
    internal void InjectFromWorker(ThreadContext context, Job job)
    {
        Debug.Assert(IsParticipantOfThisPool(context));
        if (!_injector.TryEnqueue(job))
        {
            var accepted = new RingAccepts(_injector, job);
            context.Participant!.WaitUntil(ref accepted, isolated: false);
        }

        // Full fence between publishing the job and reading the sleeper count (see Sleepers).
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
    }

    /// <summary>
    /// Outside callers: counts the caller in the gate, or returns false once Dispose has closed
    /// it, or (for a thread that is not a participant of this pool) once Dispose has started.
    /// </summary>
    /// <remarks>
    /// Dispose lets guest calls in progress finish before it closes the gate, since their spawns
    /// still pass through it; a new outside call refused a guest slot would otherwise slip through
    /// that window onto the workers (R29 in docs/design/guests.md). The increment is a full fence
    /// before the read of the started flag, pairing with Dispose's exchange: a caller that reads it
    /// clear entered before Dispose started, and Dispose waits for it to leave.
    /// </remarks>
    internal bool TryEnterGate()
    {
        if (Interlocked.Increment(ref _disposeGate.Value) < 0
            || (Volatile.Read(ref _disposeStarted) != 0 && !IsParticipantOfThisPool(ThreadContext.CurrentOrNull)))
        {
            Interlocked.Decrement(ref _disposeGate.Value);
            return false;
        }

        return true;
    }

    private void EnterGate()
    {
        if (!TryEnterGate())
        {
            ThrowDisposed();
        }
    }

    internal void ExitGate() => Interlocked.Decrement(ref _disposeGate.Value);

    /// <summary>Whether no caller is inside the dispose gate (Dispose, after closing it, waits for this; see <see cref="DisposeGateDrained"/>).</summary>
    internal bool IsDisposeGateDrained => (Volatile.Read(ref _disposeGate.Value) & ~DisposeGateClosed) == 0;

    [DoesNotReturn]
    internal static void ThrowDisposed() => throw new ObjectDisposedException(nameof(WorkStealingPool));
}
