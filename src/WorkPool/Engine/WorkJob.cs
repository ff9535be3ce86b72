using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

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
