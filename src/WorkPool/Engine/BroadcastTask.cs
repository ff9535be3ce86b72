using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>A broadcast's part for one worker, delivered to that worker's inbox (see <see cref="Participant.Deliver"/>).</summary>
internal sealed class BroadcastTask(BroadcastRequest request) : Job, IDepthItem<BroadcastTask, BroadcastRequest>
{
    /// <inheritdoc/>
    public static BroadcastTask Create(BroadcastRequest owner) => new(owner);

    /// <summary>Link in the target worker's inbox (a Treiber stack; see <see cref="Participant.Deliver"/>).</summary>
    internal BroadcastTask? NextInInbox;

    /// <summary>The body's exception on this worker; read by the broadcaster after the countdown.</summary>
    internal ExceptionDispatchInfo? Error;

    internal override void Execute(Participant executor) => request.RunOn(this, executor);
}
