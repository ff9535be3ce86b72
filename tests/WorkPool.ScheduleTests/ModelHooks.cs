using WorkPool.ScheduleTests;

namespace WorkPool;

/// <summary>
/// The exploration build's side of <see cref="SchedulePoint"/>: every point is a possible thread
/// switch. It binds only while it shares the library's namespace, as does the <see cref="Monitor"/>
/// shadow below; ExplorerSelfTests.SchedulePointHookIsBound_* and MonitorShadowIsBound_* fail when
/// either does not.
/// </summary>
internal static partial class SchedulePoint
{
    static partial void OnHit(bool spin) => Execution.OnSchedulePoint(spin);
}

/// <summary>
/// Shadows <see cref="System.Threading.Monitor"/> for the library sources compiled into this
/// build (a type in the enclosing namespace wins over a <c>using</c>): <see cref="Parker"/>'s
/// <c>Monitor.Wait</c> blocks in the scheduler's model instead of for real, so a parked thread is
/// one the scheduler knows cannot run until pulsed, and a schedule in which nobody pulses it is
/// a detected deadlock. The real Parker code runs unchanged, its lock included.
/// </summary>
internal static class Monitor
{
    /// <summary>Modeled <see cref="System.Threading.Monitor.Wait(object)"/>; a real wait outside a run.</summary>
    public static bool Wait(object obj) => Execution.ModelWait(obj);

    /// <summary>
    /// Modeled <see cref="System.Threading.Monitor.Wait(object, int)"/>: inside a run it times out
    /// at once (a timed wait can end at any moment, and never deadlocks), without a thread
    /// switch inside the caller's lock; a real timed wait outside a run.
    /// </summary>
    public static bool Wait(object obj, int millisecondsTimeout) => Execution.ModelTimedWait(obj, millisecondsTimeout);

    /// <summary>Modeled <see cref="System.Threading.Monitor.Pulse(object)"/> (also pulses real waiters).</summary>
    public static void Pulse(object obj) => Execution.ModelPulse(obj);
}
