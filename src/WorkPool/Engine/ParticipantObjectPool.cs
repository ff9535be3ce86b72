using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.ObjectPool;

namespace WorkPool;

/// <summary>
/// The <see cref="ObjectPool{T}"/> of <see cref="WorkStealingPool.CreateObjectPool{T}(IPooledObjectPolicy{T}, int)"/>:
/// one slot per participant of the pool, and a bounded shared store behind them.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="DefaultObjectPool{T}"/>: it keeps one "fast" object that every thread
/// takes with an interlocked exchange, then scans an array with one CAS per item. When every
/// worker of a pool takes and returns at once they all write the same cache lines. Here a
/// participant of the pool (a worker, or a thread in a guest call, found through its thread
/// context) first uses its own slot, indexed by its participant index, with plain reads and
/// writes: no interlocked operation and no shared cache line when a participant returns what it
/// took. Only when its slot is empty (on Get) or full (on Return) does it go to the shared store,
/// a <see cref="BoundedQueue{T}"/> (one CAS). Threads outside the pool use the shared store
/// only.</para>
/// <para>Invariant: a slot is read and written only by the thread that holds its participant
/// index, and at any moment at most one thread holds an index (a worker for its life, a guest
/// for one call; the guest slot's release store and the next occupant's CAS order one occupant's
/// writes before the next one's reads). So a slot needs no fence, and an object is in exactly
/// one place: a slot, the shared store, or the hands of one caller of Get. A guest slot's object
/// stays for whichever thread takes that guest slot next.</para>
/// <para>The slots are padded to their own cache lines: each participant writes its own.</para>
/// </remarks>
internal sealed class ParticipantObjectPool<T> : ObjectPool<T>
    where T : class
{
    private readonly WorkStealingPool _pool;
    private readonly IPooledObjectPolicy<T> _policy;
    private readonly Slot[] _slots;
    private readonly BoundedQueue<T> _shared;

    internal ParticipantObjectPool(WorkStealingPool pool, IPooledObjectPolicy<T> policy, int maximumRetained)
    {
        _pool = pool;
        _policy = policy;
        _slots = new Slot[pool.ParticipantCount];
        _shared = new BoundedQueue<T>((int)Math.Max(2, BitOperations.RoundUpToPowerOf2((uint)maximumRetained)));
    }

    /// <summary>How many objects the shared store keeps at most (tests).</summary>
    internal int SharedCapacity => _shared.Capacity;


    public override T Get()
    {
        if (ThreadContext.CurrentOrNull?.Participant is { } participant && participant.Pool == _pool)
        {
            ref Slot slot = ref _slots[participant.Index];
            T? own = slot.Item;
            if (own is not null)
            {
                slot.Item = null;
                return own;
            }
        }

        return _shared.TryDequeue() ?? _policy.Create();
    }

    public override void Return(T obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (!_policy.Return(obj))
        {
            Drop(obj);
            return;
        }

        if (ThreadContext.CurrentOrNull?.Participant is { } participant && participant.Pool == _pool)
        {
            ref Slot slot = ref _slots[participant.Index];
            if (slot.Item is null)
            {
                slot.Item = obj;
                return;
            }
        }

        if (!_shared.TryEnqueue(obj))
        {
            Drop(obj);
        }
    }

    /// <summary>An object the pool does not keep: disposed when it is disposable, as Microsoft.Extensions.ObjectPool's DisposableObjectPool does.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Drop(T obj)
    {
        if (obj is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private struct Slot
    {
        public T? Item;

#pragma warning disable IDE0051, CS0169 // Never read: keeps the next slot off this one's cache lines.
        private CacheLinePadding _padding;
#pragma warning restore IDE0051, CS0169
    }
}
