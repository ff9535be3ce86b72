using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// The stealable job of a promoted <see cref="JoinFrame"/>. A worker owns a fixed stack of them,
/// allocated with the worker, whatever the body types, so promotion never allocates. The
/// executing worker runs the body in place, on the owner's stack: the owner does not return from
/// its Join before the job is done, so that memory stays valid, and the owner finds the body's
/// final state right where it left it.
/// </summary>
/// <remarks>
/// The body may hold object references. The owner's frames report them to the GC for as long as
/// the Join runs, stacks never move, and the thief's stores into the body are ordinary byref
/// stores, so this is GC-safe. Memory ordering: the owner's writes of the body happen before the
/// push's release store; the thief's writes happen before <see cref="AwaitedJob"/>'s completing
/// exchange, which the owner's acquire read of the state sees.
/// </remarks>
internal sealed unsafe class FrameJob : AwaitedJob, IDepthItem<FrameJob, Parker>
{
    private void* _body;
    private delegate*<void*, Participant, void> _run;

    internal FrameJob(Parker owner)
        : base(owner)
    {
    }

    /// <inheritdoc/>
    public static FrameJob Create(Parker owner) => new(owner);

    /// <summary>Owner: takes over the frame's body and arms the latch, before the push.</summary>
    internal void Load(JoinFrame* frame)
    {
        Debug.Assert(frame->State == JoinFrame.Recorded);
        Load(frame->Body, frame->Run);
    }

    /// <summary>Owner: takes over a body on its stack and arms the latch, before the push.</summary>
    internal void Load(void* body, delegate*<void*, Participant, void> run)
    {
        _body = body;
        _run = run;
        Arm();
    }

    /// <summary>
    /// An install job handed to this pool by a participant of another pool: that pool (whose
    /// Dispose would wait for the participant, which waits for this job); null for every other
    /// use. Written by the waiter before publication, read by the executor's thread only (R45 in
    /// docs/design/dispose-gate.md).
    /// </summary>
    internal WorkStealingPool? WaiterPool;

    /// <summary>
    /// With <see cref="WaiterPool"/>: the install job the waiter's thread was itself running when
    /// it handed this one over (<see cref="ThreadContext.RunningAwaited"/>), so the chain names
    /// every pool that waits, transitively, for the work running now. It stays valid while this
    /// job runs: its waiter is inside it, waiting.
    /// </summary>
    internal FrameJob? WaiterChain;

    internal override void Execute(Participant executor)
    {
        ExceptionDispatchInfo? error = null;
        FrameJob? outer = null;
        bool awaitedByPool = WaiterPool is not null;
        if (awaitedByPool)
        {
            outer = executor.Context.RunningAwaited;
            executor.Context.RunningAwaited = this;
        }

        try
        {
            _run(_body, executor);
        }
#pragma warning disable CA1031 // The job's contract: every user exception reaches the waiting Join.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = ExceptionDispatchInfo.Capture(e);
        }

        if (awaitedByPool)
        {
            executor.Context.RunningAwaited = outer;
        }

        Complete(error);
    }

    /// <summary>Runs a <typeparamref name="TB"/> body in place, on <paramref name="executor"/>.</summary>
    internal static void RunBody<TB>(void* body, Participant executor)
        where TB : struct, IWork => Unsafe.AsRef<TB>(body).Run(new ForkContext(executor));
}
