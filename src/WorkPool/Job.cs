using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// Something a worker can run: the element type of deques and the injector ring. A job is a
/// heap object because a thief must be able to take it, but every job the engine creates is a
/// preallocated, reused slot (<see cref="JobSlots{TWork}"/>), never a per-call allocation.
/// </summary>
internal abstract class Job
{
    /// <summary>Runs the job on <paramref name="executor"/>, the calling worker. Never throws: user exceptions are captured inside the job.</summary>
    internal abstract void Execute(Worker executor);
}

/// <summary>
/// A job with a completion latch that one thread, the job's owner, waits on.
/// </summary>
/// <remarks>
/// <para>States: <c>Pending</c> (published, not finished), <c>WaiterParked</c> (the owner ran out
/// of spinning and is about to block on its <see cref="Parker"/>), <c>Done</c>.</para>
/// <para>Invariants: only the owner moves Pending→WaiterParked and back; the executor moves to
/// Done exactly once per publication (or the owner does, with <see cref="Disarm"/>, when it takes
/// its own unexecuted job back), with an atomic exchange so that it learns whether the
/// owner parked and must be unparked. After that exchange the executor never touches the job
/// again, because the owner may immediately reuse it for its next Join or Install. The owner's
/// parker is fixed for the job's life (slots are per thread), so the executor reads it before
/// the exchange.</para>
/// </remarks>
internal abstract class AwaitedJob : Job
{
    private const int Pending = 0;
    private const int WaiterParked = 1;
    private const int Done = 2;

    private readonly Parker _owner;
    private int _state = Done;
    private ExceptionDispatchInfo? _error;

    protected AwaitedJob(Parker owner) => _owner = owner;

    /// <summary>True once the executor finished the job (acquire: its results are visible).</summary>
    internal bool IsDone => Volatile.Read(ref _state) == Done;

    /// <summary>Owner: arms the latch before publishing the job.</summary>
    /// <remarks>A plain store: publication (deque bottom release-store, ring CAS) orders it.</remarks>
    internal void Arm()
    {
        Debug.Assert(_state == Done, "A job is armed again before its previous run finished.");
        Debug.Assert(_error is null, "A job's previous error was not taken.");
        _state = Pending;
    }

    /// <summary>Owner, popping its own job back: no executor ran it, so the latch is done.</summary>
    internal void Disarm()
    {
        Debug.Assert(_state == Pending);
        _state = Done;
    }

    /// <summary>
    /// Owner: announce that it is about to park. False when the job is already done (then the
    /// owner must not park). The CAS is a full fence, so either the executor's exchange sees
    /// WaiterParked and unparks, or this CAS sees Done.
    /// </summary>
    internal bool TryAnnounceParking()
    {
        SchedulePoint.Hit();
        return Interlocked.CompareExchange(ref _state, WaiterParked, Pending) == Pending;
    }

    /// <summary>Owner, after waking: withdraw the announcement if the job is not done yet.</summary>
    internal void WithdrawParking()
    {
        SchedulePoint.Hit();
        Interlocked.CompareExchange(ref _state, Pending, WaiterParked);
    }

    /// <summary>Owner, after completion: the captured exception, if any, cleared for reuse.</summary>
    internal ExceptionDispatchInfo? TakeError()
    {
        Debug.Assert(IsDone);
        ExceptionDispatchInfo? error = _error;
        _error = null;
        return error;
    }

    /// <summary>Executor: record the outcome and release the owner.</summary>
    protected void Complete(ExceptionDispatchInfo? error)
    {
        _error = error;
        Parker owner = _owner;
        // Exchange is a full fence: the result and error stores above are visible to the owner
        // before it can observe Done.
        SchedulePoint.Hit();
        int previous = Interlocked.Exchange(ref _state, Done);
        Debug.Assert(previous != Done, "A job completed twice.");
        if (previous == WaiterParked)
        {
            owner.Unpark();
        }
    }
}

/// <summary>
/// The one job type of the engine: runs a struct body <typeparamref name="TWork"/> in place.
/// Join's stealable second half, an Install from outside the pool and a cross-pool Install are
/// all this job with different bodies.
/// </summary>
internal sealed class WorkJob<TWork> : AwaitedJob
    where TWork : struct, IWork
{
    /// <summary>The body. Mutated in place by <see cref="IWork.Run"/>; the owner copies it back.</summary>
    internal TWork Work;

    internal WorkJob(Parker owner)
        : base(owner)
    {
    }

    internal override void Execute(Worker executor)
    {
        ExceptionDispatchInfo? error = null;
        try
        {
            Work.Run(new ForkContext(executor));
        }
#pragma warning disable CA1031 // The job's contract: every user exception reaches the waiting thread.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = ExceptionDispatchInfo.Capture(e);
        }

        Complete(error);
    }

    /// <summary>Owner: drop references the body holds so the slot does not keep them alive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ClearWork()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TWork>())
        {
            Work = default;
        }
    }
}
