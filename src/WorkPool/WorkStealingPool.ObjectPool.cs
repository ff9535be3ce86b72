using Microsoft.Extensions.ObjectPool;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Creates a <see cref="ObjectPool{T}"/> (Microsoft.Extensions.ObjectPool) that fits this
    /// pool: <see cref="ObjectPool{T}.Get"/> and <see cref="ObjectPool{T}.Return"/> on a participant
    /// of this pool (a worker, or a thread in a guest call) use that participant's own slot first,
    /// with no interlocked operation, and share a bounded store of
    /// <c>2 × Environment.ProcessorCount</c> objects beyond that; other threads use the shared
    /// store only. Works with every policy, e.g. <see cref="DefaultPooledObjectPolicy{T}"/> and
    /// <see cref="StringBuilderPooledObjectPolicy"/>.
    /// </summary>
    /// <typeparam name="T">The type of the pooled objects.</typeparam>
    /// <param name="policy">Creates objects and decides which returned ones are kept.</param>
    /// <returns>A pool that is safe to use from any thread, and allocation-free once it holds enough objects.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <remarks>See <see cref="CreateObjectPool{T}(IPooledObjectPolicy{T}, int)"/>.</remarks>
    public ObjectPool<T> CreateObjectPool<T>(IPooledObjectPolicy<T> policy)
        where T : class => CreateObjectPool(policy, Environment.ProcessorCount * 2);

    /// <summary>
    /// Creates a <see cref="ObjectPool{T}"/> (Microsoft.Extensions.ObjectPool) that fits this
    /// pool, keeping up to one object per participant (<see cref="ParticipantCount"/>) plus
    /// <paramref name="maximumRetained"/> shared ones; see
    /// <see cref="CreateObjectPool{T}(IPooledObjectPolicy{T})"/>.
    /// </summary>
    /// <typeparam name="T">The type of the pooled objects.</typeparam>
    /// <param name="policy">Creates objects and decides which returned ones are kept.</param>
    /// <param name="maximumRetained">How many objects the shared store keeps (rounded up to a power of two), as for <see cref="DefaultObjectPool{T}(IPooledObjectPolicy{T}, int)"/>.</param>
    /// <returns>A pool that is safe to use from any thread.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximumRetained"/> is less than 1.</exception>
    /// <remarks>
    /// An object returned on a participant goes to that participant's slot if it is empty, else
    /// to the shared store; an object that is not kept (the policy's
    /// <see cref="IPooledObjectPolicy{T}.Return"/> said false, or every place is full) is disposed
    /// if it is <see cref="IDisposable"/>, and otherwise left to the GC. A guest slot's object
    /// stays for the next thread that takes that guest slot. After <see cref="Dispose"/> the object
    /// pool goes on working, on the shared store.
    /// </remarks>
    public ObjectPool<T> CreateObjectPool<T>(IPooledObjectPolicy<T> policy, int maximumRetained)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumRetained, 1);
        return new ParticipantObjectPool<T>(this, policy, maximumRetained);
    }
}
