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
/// steady state no job is ever allocated.
/// <para>The stacks hang off the <see cref="ThreadContext"/> the caller already holds, at an index
/// that is a per-type constant (<see cref="Index"/>), rather than in a generic thread-static
/// field: thread statics of generic classes are reached through the runtime's slow TLS path,
/// which measurably cost more than the rest of a Join.</para>
/// </remarks>
internal static class JobSlots<TWork>
    where TWork : struct, IWork
{
    /// <summary>This body type's index into <see cref="ThreadContext.SlotStacks"/>; a JIT-time constant in optimized code.</summary>
    private static readonly int Index = ThreadContext.NewSlotStackIndex();

    /// <summary>The calling thread's job for <paramref name="depth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static WorkJob<TWork> At(ThreadContext context, int depth)
    {
        Debug.Assert(context == ThreadContext.CurrentOrNull, "Slots belong to the calling thread.");
        object?[] stacks = context.SlotStacks;
        int index = Index;
        if ((uint)index < (uint)stacks.Length && stacks[index] is { } stack)
        {
            // Only Create stores at this index, always an array of this exact type.
            WorkJob<TWork>?[] slots = Unsafe.As<WorkJob<TWork>?[]>(stack);
            if ((uint)depth < (uint)slots.Length && slots[depth] is { } job)
            {
                return job;
            }
        }

        return Create(context, depth);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WorkJob<TWork> Create(ThreadContext context, int depth)
    {
        int index = Index;
        if (index >= context.SlotStacks.Length)
        {
            Array.Resize(ref context.SlotStacks, Math.Max(index + 1, context.SlotStacks.Length * 2));
        }

        var slots = (WorkJob<TWork>?[]?)context.SlotStacks[index];
        if (slots is null || depth >= slots.Length)
        {
            Array.Resize(ref slots, Math.Max(depth + 1, Math.Max(8, (slots?.Length ?? 0) * 2)));
            context.SlotStacks[index] = slots;
        }

        var job = new WorkJob<TWork>(context.Parker);
        slots[depth] = job;
        return job;
    }
}
