using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// Something a worker can run: the element type of deques and the injector ring. A job is a
/// heap object because a thief must be able to take it, but every job the engine creates is
/// preallocated and reused (a <see cref="FrameJob"/> of a participant's or thread's depth stack,
/// or a pooled job of a <see cref="JobCache"/>), never a per-call allocation.
/// </summary>
/// <remarks>
/// The execution context (<see cref="AsyncLocal{T}"/> values) flows with every job, as it does
/// with <c>Task.Run</c> and <c>Parallel.Invoke</c>: the thread that publishes a job (pushes it
/// onto its deque, enqueues it into a ring, offers or delivers it) records its context in the job
/// (<see cref="CaptureFlow"/>, a read of a thread field; nothing when it is the default, or when
/// flow is suppressed), and whoever runs the job (<see cref="Run"/>) runs it under that context.
/// So a call's work sees its caller's values whichever participant runs which part: the caller
/// as a guest, a worker through the ring, a thief of a Join half or a spawn. The recorded context
/// is published with the job (the deque's release store, the ring's sequence store) and read
/// after the job was taken (their acquire), like the job's other fields.
/// </remarks>
internal abstract class Job
{
    /// <summary>The default context, as a worker (started without one) captures it; recorded as null.</summary>
    private static ExecutionContext? s_defaultContext;

    /// <summary>Runs a flowed job on the worker passed as state (see <see cref="Participant.ExecuteUnder"/>).</summary>
    private static readonly ContextCallback s_executeFlowing = static state => ((Participant)state!).ExecuteFlowing();

    /// <summary>The publisher's execution context, when it is not the default; null otherwise.</summary>
    private ExecutionContext? _flow;

    /// <summary>
    /// A worker thread, before it runs anything (it was started without a context): notes what the
    /// default context is. Every worker captures once here: the first capture on a thread sets up
    /// the runtime's per-thread state (about 32 B), which must not happen in a call's steady state.
    /// </summary>
    internal static void NoteDefaultContext()
    {
        ExecutionContext? context = ExecutionContext.Capture();
        s_defaultContext ??= context;
    }

    /// <summary>An outside thread gets its thread context: its first capture happens now, not in a later call (see <see cref="NoteDefaultContext"/>).</summary>
    internal static void PrepareCapture() => GC.KeepAlive(ExecutionContext.Capture());

    /// <summary>The publishing thread, before it publishes the job: records its execution context (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CaptureFlow()
    {
        ExecutionContext? context = ExecutionContext.Capture();
        _flow = ReferenceEquals(context, s_defaultContext) ? null : context;
    }

    /// <summary>
    /// Runs the job on <paramref name="executor"/>, the calling participant, under the execution
    /// context its publisher recorded (directly when there is none). Never throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Run(Participant executor)
    {
        ExecutionContext? flow = _flow;
        if (flow is null)
        {
            Execute(executor);
            return;
        }

        // Cleared before the job runs: once it has run, its publisher may reuse it.
        _flow = null;
        executor.ExecuteUnder(flow, this, s_executeFlowing);
    }

    /// <summary>Runs the job on <paramref name="executor"/>, the calling worker. Never throws: user exceptions are captured inside the job.</summary>
    internal abstract void Execute(Participant executor);
}
