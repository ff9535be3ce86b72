using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// Something a worker can run: the element type of deques and the injector ring. A job is a
/// heap object because a thief must be able to take it, but every job the engine creates is
/// preallocated and reused (a <see cref="FrameJob"/> of a participant's or thread's depth stack,
/// or a pooled job of a <see cref="JobCache"/>), never a per-call allocation.
/// </summary>
internal abstract class Job
{
    /// <summary>Runs the job on <paramref name="executor"/>, the calling worker. Never throws: user exceptions are captured inside the job.</summary>
    internal abstract void Execute(Worker executor);
}
