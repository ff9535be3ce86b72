using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// Marks the places in the lock-free code (deque, injector ring, job latch, parker, sleep and
/// wake) where another thread's step may come between two of this thread's steps. In the
/// library these calls do not exist: the methods are <see cref="ConditionalAttribute"/> on
/// <c>SCHEDULE_POINTS</c>, a symbol only the schedule-exploration test build defines (it compiles
/// these sources itself), so the compiler drops every call site and the shipped code is
/// unchanged. In that build a deterministic scheduler runs one thread at a time and switches
/// threads only here (see tests/WorkPool.ScheduleTests).
/// </summary>
internal static partial class SchedulePoint
{
    /// <summary>Before a shared-memory access that another thread's step may precede.</summary>
    [Conditional("SCHEDULE_POINTS")]
    internal static void Hit() => OnHit(spin: false);

    /// <summary>One round of a wait loop: the scheduler should prefer threads that can make progress.</summary>
    [Conditional("SCHEDULE_POINTS")]
    internal static void Spin() => OnHit(spin: true);

    // Implemented by the exploration build only; without an implementation the call is removed.
    static partial void OnHit(bool spin);
}
