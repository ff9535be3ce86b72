using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

internal sealed partial class Participant
{
    // Broadcast tasks for this worker: _inbox is an IntrusiveStack that broadcasters push onto;
    // only this worker empties it, all at once, into _inboxBacklog (owner-only). A task is
    // reused only after its broadcast ended, i.e. after it ran and left both lists.
    private PaddedObject _inbox;
    private BroadcastTask? _inboxBacklog;

    /// <summary>Any thread: hands this worker its part of a broadcast (then wake it with <see cref="Sleepers.WakeWorker"/>).</summary>
    internal void Deliver(BroadcastTask task)
    {
        Debug.Assert(task.NextInInbox is null, "A task is in one inbox at a time.");
        // The broadcaster's execution context travels with the task (see Job), published by the CAS.
        task.CaptureFlow();
        // The CAS is a full fence: the caller's following read of this worker's sleep state
        // is ordered after the push (see Sleepers.WakeWorker).
        IntrusiveStack.Push(ref _inbox.Value, task, ref task.NextInInbox);
    }

    /// <summary>Whether a broadcast task waits for this worker (its last look before sleeping checks this too).</summary>
    private bool HasInbox => _inboxBacklog is not null || Volatile.Read(ref _inbox.Value) is not null;

    /// <summary>Owner: the next broadcast task for this worker, or null.</summary>
    private BroadcastTask? TakeFromInbox()
    {
        BroadcastTask? task = _inboxBacklog ?? IntrusiveStack.TakeAll<BroadcastTask>(ref _inbox.Value);
        if (task is null)
        {
            return null;
        }

        _inboxBacklog = task.NextInInbox;
        task.NextInInbox = null;
        return task;
    }
}
