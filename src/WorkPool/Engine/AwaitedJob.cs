using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

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
