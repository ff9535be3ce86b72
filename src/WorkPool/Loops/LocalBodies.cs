using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The locals of one loop with local state: one slot per participant of the pool, each with
/// its value and whether its participant initialized it. Rented by the thread that starts the
/// loop, from its own free list, and given back by that thread when the loop returned, so no
/// synchronization guards the list; slots are written only by the participant that owns the
/// index (at most one thread holds an index at a time), and read by the calling thread after the
/// loop, whose completion (a Join or a job latch) orders every piece's writes before it.
/// </summary>
internal sealed class LocalStates<TLocal>
{
    [ThreadStatic]
    private static LocalStates<TLocal>? t_free;

    private LocalStates<TLocal>? _next;

    private LocalStates(int count) => Slots = new Slot[count];

    internal Slot[] Slots { get; }

    /// <summary>The calling thread's free locals with room for <paramref name="participants"/> participants, or new ones (warm-up, or a nested loop of the same local type).</summary>
    internal static LocalStates<TLocal> Rent(int participants)
    {
        LocalStates<TLocal>? free = t_free;
        if (free is not null && free.Slots.Length >= participants)
        {
            t_free = free._next;
            free._next = null;
            return free;
        }

        return new LocalStates<TLocal>(participants);
    }

    /// <summary>
    /// The calling thread, after the loop: hands every initialized local to
    /// <see cref="IForLocalBody{TLocal}.Finish"/> in participant order, clears the slots and keeps
    /// them for the next loop. Every local is finished even when one Finish throws; returns what
    /// they threw (one exception as itself, several in an <see cref="AggregateException"/>).
    /// </summary>
    internal Exception? FinishAndReturn<TBody>(ref TBody body)
        where TBody : struct, IForLocalBody<TLocal>
    {
        Exception? first = null;
        List<Exception>? more = null;
        Slot[] slots = Slots;
        for (int i = 0; i < slots.Length; i++)
        {
            ref Slot slot = ref slots[i];
            if (!slot.Initialized)
            {
                continue;
            }

            TLocal local = slot.Value;
            slot.Initialized = false;
            if (RuntimeHelpers.IsReferenceOrContainsReferences<TLocal>())
            {
                slot.Value = default!;
            }

            try
            {
                body.Finish(local);
            }
#pragma warning disable CA1031 // Collected, so that every local is finished; rethrown by the caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (first is null)
                {
                    first = e;
                }
                else
                {
                    (more ??= [first]).Add(e);
                }
            }
        }

        _next = t_free;
        t_free = this;
        return more is not null ? new AggregateException(more) : first;
    }

    /// <summary>One participant's local, on its own cache lines.</summary>
    internal struct Slot
    {
        public TLocal Value;
        public bool Initialized;

#pragma warning disable IDE0051, CS0169 // Never read: keeps the next slot off this one's cache lines.
        private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
    }
}

/// <summary>Range body over an <see cref="IForLocalBody{TLocal}"/>: finds the running participant's local and runs the piece on it.</summary>
internal struct LocalRange<TBody, TLocal>(TBody body, LocalStates<TLocal> locals) : IForRangeBody
    where TBody : struct, IForLocalBody<TLocal>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        // Every piece of a loop runs on a participant of the loop's pool (a worker, or the
        // calling thread as a guest): one thread-local read per piece, not per iteration.
        Worker? participant = ThreadContext.CurrentOrNull?.Worker;
        Debug.Assert(participant is not null, "Loop pieces run on participants.");
        ref LocalStates<TLocal>.Slot slot = ref locals.Slots[participant.Index];
        if (!slot.Initialized)
        {
            slot.Value = Body.Init();
            slot.Initialized = true;
        }

        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke((int)i, ref slot.Value);
        }
    }
}

/// <summary>Local body for the delegate form (<c>Parallel.For</c>'s localInit / body / localFinally).</summary>
internal readonly struct DelegateLocalBody<TLocal>(Func<TLocal> localInit, Func<int, TLocal, TLocal> body, Action<TLocal> localFinally) : IForLocalBody<TLocal>
{
    public TLocal Init() => localInit();

    public void Invoke(int index, ref TLocal local) => local = body(index, local);

    public void Finish(TLocal local) => localFinally(local);
}
