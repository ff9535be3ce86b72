using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The locals of one loop with local state: per participant of the pool, a stack of locals, one
/// per level of re-entry. A piece of the loop takes the local of its participant's next level and
/// gives the level back when it returns. A piece that waits inside its body (a nested For or Join)
/// lets its participant run other pieces of the same loop on the same thread meanwhile; those
/// take the next level's local, so no piece ever sees another piece's local change under it (the
/// outer piece's stale value would otherwise overwrite theirs).
/// </summary>
/// <remarks>
/// <para>Rented by the thread that starts the loop, from its own free list, and given back by
/// that thread when the loop returned, so no synchronization guards the list. A participant's
/// levels are touched only by the thread that holds the participant (at most one at a time; a
/// guest slot's next occupant acquires what the last one released), and pieces on one
/// participant nest strictly on that thread's stack, so a level is held by one piece at a time.
/// The calling thread reads every local after the loop, whose completion (a Join or a job latch)
/// orders every piece's writes before it.</para>
/// <para>Invariant: between pieces, every participant's next level is its first
/// (<see cref="Seat.Next"/> == <see cref="Seat.First"/>). Levels are boxes linked from the first,
/// never moved, so a piece may hold a reference into its local while deeper pieces add levels.
/// A level past the deepest one reached before is allocated once (warm-up), then kept with the
/// locals for later loops (R46 in docs/design/robustness.md).</para>
/// </remarks>
internal sealed class LocalStates<TLocal>
{
    [ThreadStatic]
    private static LocalStates<TLocal>? t_free;

    private LocalStates<TLocal>? _next;

    private LocalStates(int count)
    {
        Seats = new Seat[count];
        for (int i = 0; i < Seats.Length; i++)
        {
            Seats[i].First = new Level();
            Seats[i].Next = Seats[i].First;
        }
    }

    /// <summary>One entry per participant index.</summary>
    internal Seat[] Seats { get; }

    /// <summary>The calling thread's free locals with room for <paramref name="participants"/> participants, or new ones (warm-up, or a nested loop of the same local type).</summary>
    internal static LocalStates<TLocal> Rent(int participants)
    {
        LocalStates<TLocal>? free = t_free;
        if (free is not null && free.Seats.Length >= participants)
        {
            t_free = free._next;
            free._next = null;
            return free;
        }

        return new LocalStates<TLocal>(participants);
    }

    /// <summary>
    /// The calling thread, after the loop: hands every initialized local to
    /// <see cref="IForLocalBody{TLocal}.Finish"/> in participant order (levels in order within a
    /// participant), clears them and keeps them for the next loop. Every local is finished even
    /// when one Finish throws; returns what they threw (one exception as itself, several in an
    /// <see cref="AggregateException"/>).
    /// </summary>
    internal Exception? FinishAndReturn<TBody>(ref TBody body)
        where TBody : struct, IForLocalBody<TLocal>
    {
        Exception? first = null;
        List<Exception>? more = null;
        Seat[] seats = Seats;
        for (int i = 0; i < seats.Length; i++)
        {
            Debug.Assert(seats[i].Next == seats[i].First, "Every piece gave its level back.");
            for (Level? level = seats[i].First; level is not null; level = level.Deeper)
            {
                if (!level.Initialized)
                {
                    continue;
                }

                TLocal local = level.Value;
                level.Initialized = false;
                if (RuntimeHelpers.IsReferenceOrContainsReferences<TLocal>())
                {
                    level.Value = default!;
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
        }

        _next = t_free;
        t_free = this;
        return more is not null ? new AggregateException(more) : first;
    }

    /// <summary>One participant's levels, on its own cache lines (its pieces write <see cref="Next"/>).</summary>
    internal struct Seat
    {
        /// <summary>The outermost level.</summary>
        public Level First;

        /// <summary>The level the participant's next piece takes.</summary>
        public Level Next;

#pragma warning disable IDE0051, CS0169 // Never read: keeps the next seat off this one's cache lines.
        private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
    }

    /// <summary>One local: its value, whether a piece initialized it, and the level below it.</summary>
    internal sealed class Level
    {
        public TLocal Value = default!;
        public bool Initialized;
        public Level? Deeper;

        // Levels of different participants are allocated side by side and written by different threads.
#pragma warning disable IDE0051, CS0169 // Never read: keeps the next level off this one's cache lines.
        private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
    }
}

/// <summary>Range body over an <see cref="IForLocalBody{TLocal}"/>: takes the running participant's next level of local and runs the piece on it.</summary>
internal struct LocalRange<TBody, TLocal>(TBody body, LocalStates<TLocal> locals) : IForRangeBody
    where TBody : struct, IForLocalBody<TLocal>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        // Every piece of a loop runs on a participant of the loop's pool (a worker, or the
        // calling thread as a guest): one thread-local read per piece, not per iteration.
        Participant? participant = ThreadContext.CurrentOrNull?.Participant;
        Debug.Assert(participant is not null, "Loop pieces run on participants.");
        ref LocalStates<TLocal>.Seat seat = ref locals.Seats[participant.Index];
        LocalStates<TLocal>.Level level = seat.Next;
        // The level below is this piece's pieces' own (pieces that this participant runs while
        // this one waits inside its body).
        seat.Next = level.Deeper ?? AddLevel(level);
        try
        {
            if (!level.Initialized)
            {
                level.Value = Body.Init();
                level.Initialized = true;
            }

            for (long i = fromInclusive; i < toExclusive; i++)
            {
                Body.Invoke((int)i, ref level.Value);
            }
        }
        finally
        {
            Debug.Assert(seat.Next == level.Deeper, "Pieces nest on a participant's thread.");
            seat.Next = level;
        }
    }

    /// <summary>The first time a participant re-enters this loop this deep (warm-up).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LocalStates<TLocal>.Level AddLevel(LocalStates<TLocal>.Level above) => above.Deeper = new LocalStates<TLocal>.Level();
}

/// <summary>Local body for the delegate form (<c>Parallel.For</c>'s localInit / body / localFinally).</summary>
internal readonly struct DelegateLocalBody<TLocal>(Func<TLocal> localInit, Func<int, TLocal, TLocal> body, Action<TLocal> localFinally) : IForLocalBody<TLocal>
{
    public TLocal Init() => localInit();

    public void Invoke(int index, ref TLocal local) => local = body(index, local);

    public void Finish(TLocal local) => localFinally(local);
}
