using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// Per-thread stacks of preallocated jobs, one stack per body type, indexed by the thread's
/// nesting depth (<see cref="ThreadContext.Depth"/>).
/// </summary>
/// <remarks>
/// Joins and Installs nest strictly LIFO on a thread: each entry increments the depth before it
/// publishes a job and restores it only after that job is done, so the slot at a given depth is
/// never in use twice at once, and it is free again as soon as its Join or Install returns. A
/// stack grows only the first time a thread reaches a new depth with a body type (warm-up); in
/// steady state no job is ever allocated. The field is generic per body type so a struct body's
/// lookup is specialized code (no boxing, no dictionary lookup).
/// </remarks>
internal static class JobSlots<TWork>
    where TWork : struct, IWork
{
    [ThreadStatic]
    private static WorkJob<TWork>?[]? t_slots;

    /// <summary>The calling thread's job for <paramref name="depth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static WorkJob<TWork> At(ThreadContext context, int depth)
    {
        Debug.Assert(context == ThreadContext.CurrentOrNull, "Slots belong to the calling thread.");
        WorkJob<TWork>?[]? slots = t_slots;
        if (slots is not null && (uint)depth < (uint)slots.Length && slots[depth] is { } job)
        {
            return job;
        }

        return Create(context, depth);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WorkJob<TWork> Create(ThreadContext context, int depth)
    {
        WorkJob<TWork>?[]? slots = t_slots;
        if (slots is null || depth >= slots.Length)
        {
            Array.Resize(ref slots, Math.Max(depth + 1, Math.Max(8, (slots?.Length ?? 0) * 2)));
            t_slots = slots;
        }

        var job = new WorkJob<TWork>(context.Parker);
        slots[depth] = job;
        return job;
    }
}
