using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// One <see cref="WorkStealingPool.Broadcast(Action{int})"/> in progress: the body (on the
/// broadcasting thread's stack, run in place through a pointer, as a promoted Join half is), one
/// task per worker, and the countdown the broadcaster waits on. Reused: each thread keeps one per
/// broadcast nesting depth (<see cref="ThreadContext"/>), so a broadcast allocates nothing after
/// a thread's first one at that depth.
/// </summary>
/// <remarks>
/// The body pointer is valid while the broadcaster waits, and it waits (not even an interrupt
/// ends the wait early) until every task has finished: each task completes with a full fence
/// (<see cref="ParkingCount.Complete"/>) after its last use of the body and of its own error
/// field, so once the count is zero, no worker touches the request again.
/// </remarks>
internal sealed unsafe class BroadcastRequest(ThreadContext owner) : IDepthItem<BroadcastRequest, ThreadContext>
{
    private DepthStack<BroadcastTask, BroadcastRequest> _tasks;
    private ParkingCount _pending;
    private void* _body;
    private delegate*<void*, Participant, void> _run;

    /// <inheritdoc/>
    public static BroadcastRequest Create(ThreadContext owner) => new(owner);

    /// <summary>Creates the tasks for <paramref name="workers"/> workers ahead of the first broadcast.</summary>
    internal void ReserveTasks(int workers) => _tasks.Reserve(this, workers);

    internal bool IsDone => ParkingCount.IsZero(ref _pending);

    /// <summary>Owner: loads the body and arms the countdown for a pool of <paramref name="workers"/>.</summary>
    internal void Prepare(int workers, void* body, delegate*<void*, Participant, void> run)
    {
        Debug.Assert(IsDone, "A request is reused only after its broadcast ended.");
        _tasks.Reserve(this, workers);

        _body = body;
        _run = run;
        // Release: the fields above are visible to every worker that gets a task (the delivery
        // CAS publishes the task after this).
        ParkingCount.VolatileWrite(ref _pending, new ParkingCount(generation: 0, pending: workers));
    }

    /// <summary>The task for worker <paramref name="index"/>.</summary>
    internal BroadcastTask Task(int index) => _tasks[index];

    /// <summary>Runs the body on <paramref name="executor"/> for <paramref name="task"/>, records its exception, and counts it done.</summary>
    internal void RunOn(BroadcastTask task, Participant executor)
    {
        Parker ownerParker = owner.Parker;
        try
        {
            _run(_body, executor);
        }
#pragma warning disable CA1031 // Every worker's exception reaches the broadcaster.
        catch (Exception e)
#pragma warning restore CA1031
        {
            task.Error = ExceptionDispatchInfo.Capture(e);
        }

        ParkingCount.Complete(ref _pending, ownerParker);
    }

    internal bool TryRegisterWaiter() => ParkingCount.TryRegisterWaiter(ref _pending);

    internal void UnregisterWaiter() => ParkingCount.UnregisterWaiter(ref _pending);

    /// <summary>
    /// Owner, after the countdown reached zero: throws an <see cref="AggregateException"/> of the
    /// workers' exceptions (in worker order) if any part threw (an exception for the canceled
    /// <paramref name="token"/> itself counts as cancellation, see <see cref="Failures.OfParts(IEnumerable{Exception}, CancellationToken)"/>).
    /// </summary>
    internal void ThrowErrors(int workers, CancellationToken token)
    {
        Debug.Assert(IsDone);
        List<Exception>? errors = null;
        for (int i = 0; i < workers; i++)
        {
            if (_tasks[i].Error is { } error)
            {
                _tasks[i].Error = null;
                (errors ??= []).Add(error.SourceException);
            }
        }

        _body = null;
        if (errors is not null)
        {
            throw Failures.OfParts(errors, token);
        }
    }
}
