using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// One value of <typeparamref name="T"/> per participant of a <see cref="WorkStealingPool"/>:
/// scratch state for the code that runs on it (a histogram, a random generator, a buffer, a
/// partial sum), reached by <c>ref</c> without a lock, then combined by enumerating the slots.
/// The pool's answer to <see cref="ThreadLocal{T}"/> with <c>Values</c>, oneTBB's
/// <c>enumerable_thread_specific</c>, and the per-task state of <c>Parallel.For</c>'s
/// <c>localInit</c>.
/// </summary>
/// <typeparam name="T">The type of the per-participant value.</typeparam>
/// <remarks>
/// <para>Slots are indexed by participant index: 0 to <see cref="WorkStealingPool.ThreadCount"/>
/// − 1 for the workers, then one per guest slot (<see cref="WorkStealingPoolOptions.GuestSlots"/>),
/// where a thread outside the pool runs its Install, Join, Scope or loop, the calling thread of a
/// loop included: <see cref="Count"/> = <see cref="WorkStealingPool.ParticipantCount"/>. At any
/// moment at most one thread holds an index, so the code that runs on a participant owns its slot
/// and needs no synchronization. A guest slot's value stays for the next thread that takes that
/// guest slot: treat it as scratch that any later guest call may find and reuse, never as the
/// state of one outside thread.</para>
/// <para>Every value is created by the factory in the constructor, on the calling thread, one per
/// slot: afterwards nothing here allocates. Each slot sits on its own cache lines, so participants
/// writing their own slots never share a line (objects the factory creates lie wherever the GC
/// puts them).</para>
/// <para>Read the slots (<see cref="GetEnumerator"/>, the indexer) when no participant is writing
/// them, for example after the loop that filled them returned.</para>
/// </remarks>
public sealed class WorkerLocal<T>
{
    private readonly WorkStealingPool _pool;
    private readonly Slot[] _slots;

    /// <summary>Creates the slots of <paramref name="pool"/>, each with a value from <paramref name="factory"/>.</summary>
    /// <param name="pool">The pool whose participants own the slots.</param>
    /// <param name="factory">Called once per slot, in the constructor, on the calling thread.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> or <paramref name="factory"/> is null.</exception>
    public WorkerLocal(WorkStealingPool pool, Func<T> factory)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(factory);
        _pool = pool;
        _slots = new Slot[pool.ParticipantCount];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Value = factory();
        }
    }

    /// <summary>Creates the slots of <paramref name="pool"/>, each with the value <paramref name="factory"/> returns for its participant index (to seed a random generator per participant, say).</summary>
    /// <param name="pool">The pool whose participants own the slots.</param>
    /// <param name="factory">Called once per slot with its index, in the constructor, on the calling thread.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> or <paramref name="factory"/> is null.</exception>
    public WorkerLocal(WorkStealingPool pool, Func<int, T> factory)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(factory);
        _pool = pool;
        _slots = new Slot[pool.ParticipantCount];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Value = factory(i);
        }
    }

    /// <summary>The pool whose participants own the slots.</summary>
    public WorkStealingPool Pool => _pool;

    /// <summary>The number of slots: the pool's <see cref="WorkStealingPool.ParticipantCount"/>.</summary>
    public int Count => _slots.Length;

    /// <summary>
    /// The calling participant's slot, found through the thread-local current participant (as
    /// <see cref="WorkStealingPool.CurrentWorkerIndex"/>): for code that has no
    /// <see cref="ForkContext"/> at hand (a delegate loop body, a spawned job).
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling thread is not a participant of <see cref="Pool"/> (a worker, or a thread inside a guest call).</exception>
    public ref T Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Participant? participant = ThreadContext.CurrentOrNull?.Participant;
            if (participant is null || participant.Pool != _pool)
            {
                ThrowNotParticipant();
            }

            return ref _slots[participant.Index].Value;
        }
    }

    /// <summary>The slot of participant <paramref name="participantIndex"/>: to read or combine the values, for example after a loop.</summary>
    /// <param name="participantIndex">0 to <see cref="Count"/> − 1.</param>
    /// <exception cref="IndexOutOfRangeException"><paramref name="participantIndex"/> is outside the slots.</exception>
    public ref T this[int participantIndex] => ref _slots[participantIndex].Value;

    /// <summary>The slot of the participant that <paramref name="context"/> describes: no thread-local lookup, the fastest access inside a struct body.</summary>
    /// <param name="context">The context the pool passed to the running body.</param>
    /// <returns>A reference to that participant's value.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="context"/> belongs to another pool, or is <c>default</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Get(ForkContext context)
    {
        Participant participant = context.Participant;
        if (participant.Pool != _pool)
        {
            ThrowNotParticipant();
        }

        return ref _slots[participant.Index].Value;
    }

    /// <summary>Enumerates the slots in participant-index order, by reference: <c>foreach (ref T value in local)</c>.</summary>
    /// <returns>An enumerator; allocation-free.</returns>
    public Enumerator GetEnumerator() => new(_slots);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotParticipant() =>
        throw new InvalidOperationException($"The calling code does not run on a participant of the pool this WorkerLocal<{typeof(T).Name}> belongs to (one of its {_pool.ThreadCount} workers, or a thread inside a guest call into it).");

    /// <summary>Enumerates the slots of a <see cref="WorkerLocal{T}"/> by reference.</summary>
    public struct Enumerator
    {
        private readonly Slot[] _slots;
        private int _index;

        internal Enumerator(Slot[] slots)
        {
            _slots = slots;
            _index = -1;
        }

        /// <summary>The current slot.</summary>
        public readonly ref T Current => ref _slots[_index].Value;

        /// <summary>Moves to the next slot.</summary>
        /// <returns>False after the last slot.</returns>
        public bool MoveNext() => ++_index < _slots.Length;
    }

    /// <summary>A value on its own cache lines.</summary>
    internal struct Slot
    {
        public T Value;

#pragma warning disable IDE0051, CS0169 // Never read: keeps the next slot off this one's cache lines.
        private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
    }
}
