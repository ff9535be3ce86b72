using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// What the engine keeps for one thread that uses a pool: whether it is a worker (and of which
/// pool), its nesting depth for the job slots, and the one <see cref="Parker"/> it blocks on.
/// Created once per thread (a worker's by its pool, an outside thread's on its first call) and
/// found through a thread-static field that every public entry point reads first.
/// </summary>
internal sealed class ThreadContext
{
    [ThreadStatic]
    private static ThreadContext? t_current;

    internal ThreadContext(Participant? worker) => Participant = worker;

    /// <summary>
    /// The participant this context belongs to: a worker (the context of its thread) or a guest
    /// slot (the context of whichever thread occupies it); null for a thread outside every pool.
    /// </summary>
    internal Participant? Participant { get; }

    /// <summary>The thread's own blocking primitive, reused for every wait (never re-created).</summary>
    internal Parker Parker { get; } = new();

    /// <summary>Nesting depth of work this thread handed to another pool's workers and waits for; indexes <see cref="InstallJobAt"/>.</summary>
    internal int Depth;

    /// <summary>An outside thread: the index of the guest slot it took last, tried first next time (any pool; bounds-checked).</summary>
    internal int GuestHint;

    /// <summary>An outside thread: its stack limit (see <see cref="StackGuard"/>), asked from the OS when the context is created; a guest slot takes it at each guest call.</summary>
    internal nuint StackLimit;

    /// <summary>Nesting depth of broadcasts in progress on this thread; indexes <see cref="BroadcastAt"/>.</summary>
    internal int BroadcastDepth;

    /// <summary>This thread's type-free jobs for work it hands to another pool's workers, by <see cref="Depth"/>; grows only during warm-up.</summary>
    private DepthStack<FrameJob, Parker> _installJobs;

    /// <summary>This thread's broadcast requests by depth; grows only during warm-up.</summary>
    private DepthStack<BroadcastRequest, ThreadContext> _broadcasts;

    /// <summary>Link in an <see cref="InjectorRing"/>'s list of blocked producers (guarded by its lock).</summary>
    internal ThreadContext? NextRingWaiter;

    /// <summary>Whether this thread is in an <see cref="InjectorRing"/>'s list of blocked producers (guarded by its lock).</summary>
    internal bool IsRingWaiter;

    /// <summary>
    /// A participant: the innermost install job it is running that a participant of another pool
    /// waits for (see <see cref="FrameJob.WaiterPool"/>); null when none. Owner-only.
    /// </summary>
    internal FrameJob? RunningAwaited;

    /// <summary>
    /// A guest slot's context, during a guest call: the occupying thread's own context (null
    /// otherwise). What belongs to the thread rather than to the slot (its outside statistics
    /// slots in other pools) is kept there, since every later occupant shares this context.
    /// </summary>
    internal ThreadContext? Occupant;

    /// <summary>The statistics registry of the pool this outside thread last published into, and its slot there (see <see cref="WorkPool.StatisticsRegistry"/>).</summary>
    internal StatisticsRegistry? StatisticsRegistry;

    /// <summary>This thread's slot in <see cref="StatisticsRegistry"/>.</summary>
    internal StatisticsSlot? StatisticsSlot;

    /// <summary>The calling thread's context, or null if it never used a pool.</summary>
    internal static ThreadContext? CurrentOrNull
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current;
    }

    /// <summary>The calling thread's context, created on first use (the only allocation of an outside thread).</summary>
    internal static ThreadContext Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? CreateForOutsideThread();
    }

    /// <summary>
    /// A guest call begins or ends (see <see cref="GuestSlots"/>): the calling thread's context
    /// becomes the guest slot's, or its own again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SetCurrent(ThreadContext? context) => t_current = context;

    /// <summary>Called by a worker thread before its loop starts: registers it as the current worker.</summary>
    internal void AttachToCurrentThread()
    {
        Debug.Assert(t_current is null, "A worker thread is registered once.");
        t_current = this;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadContext CreateForOutsideThread()
    {
        Job.PrepareCapture();
        return t_current = new ThreadContext(worker: null) { StackLimit = StackGuard.CurrentThreadLimit() };
    }

    /// <summary>
    /// Outside thread: wait until <paramref name="condition"/> is met, spinning for
    /// <paramref name="spinCount"/> rounds, then parking. (Workers use <see cref="Participant.WaitUntil"/>,
    /// which runs the pool's jobs while it waits.)
    /// </summary>
    internal void WaitUntil<TCondition>(ref TCondition condition, int spinCount)
        where TCondition : struct, IWakeCondition
    {
        Debug.Assert(Participant is null);
        var waiter = new OutsideWaiter(this, spinCount);
        WaitLoop.Run(ref condition, ref waiter);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> is met (a participant runs its pool's work
    /// meanwhile): for waits whose end other threads still write into (a frame on this stack,
    /// state this thread is about to reuse). Nothing ends such a wait early: the parker cannot be
    /// interrupted (see <see cref="Parker"/>), and an interrupt of this thread stays pending for
    /// the user's code.
    /// </summary>
    /// <param name="condition">What ends the wait.</param>
    /// <param name="spinCount">How many rounds an outside thread spins before it parks.</param>
    /// <param name="isolated">For a participant: whether the wait leaves the injector ring alone (see <see cref="Participant.WaitUntil"/>).</param>
    internal void WaitUninterruptibly<TCondition>(ref TCondition condition, int spinCount, bool isolated)
        where TCondition : struct, IWakeCondition
    {
        if (Participant is { } worker)
        {
            worker.WaitUntil(ref condition, isolated);
        }
        else
        {
            WaitUntil(ref condition, spinCount);
        }
    }

    /// <summary>The install job for <paramref name="depth"/> (see WorkStealingPool.InstallFromOutside), created the first time the thread reaches it.</summary>
    internal FrameJob InstallJobAt(int depth) => _installJobs.At(Parker, depth);

    /// <summary>The broadcast request for <paramref name="depth"/>, created the first time a thread reaches it.</summary>
    internal BroadcastRequest BroadcastAt(int depth) => _broadcasts.At(this, depth);

    /// <summary>A participant's context, with its pool: creates the first <paramref name="depth"/> broadcast requests, with a task per worker.</summary>
    internal void ReserveBroadcasts(int depth, int workers)
    {
        _broadcasts.Reserve(this, depth);
        for (int i = 0; i < depth; i++)
        {
            _broadcasts[i].ReserveTasks(workers);
        }
    }
}
