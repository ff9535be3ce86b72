using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>An object a <see cref="DepthStack{T, TOwner}"/> creates for its owner.</summary>
internal interface IDepthItem<TSelf, TOwner>
    where TSelf : class
{
    /// <summary>A new item for <paramref name="owner"/>.</summary>
    static abstract TSelf Create(TOwner owner);
}

/// <summary>
/// Reusable objects indexed by nesting depth (or by worker index): a participant's promoted-job
/// stack and scope states, a thread's broadcast requests, a request's per-worker tasks. Nesting
/// is strictly LIFO on one thread, so the item at a depth is free again as soon as the call that
/// used it returns. The first levels are created ahead of use (with the pool, for participants);
/// a deeper level is created the first time it is reached, doubling the stack (warm-up), and
/// never again.
/// </summary>
/// <remarks>Owner-only: one thread at a time uses a stack, so there is no synchronization.</remarks>
internal struct DepthStack<T, TOwner>
    where T : class, IDepthItem<T, TOwner>
{
    // Null until the first level is created (a default stack is an empty one).
    private T[]? _items;

    /// <summary>A stack with <paramref name="count"/> items created for <paramref name="owner"/>.</summary>
    internal DepthStack(TOwner owner, int count)
    {
        _items = null;
        Reserve(owner, count);
    }

    /// <summary>How many levels exist.</summary>
    internal readonly int Length => _items?.Length ?? 0;

    /// <summary>The item at <paramref name="depth"/> (which exists).</summary>
    internal readonly T this[int depth] => _items![depth];

    /// <summary>The item at <paramref name="depth"/>, created (with the levels below it) the first time it is reached.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T At(TOwner owner, int depth)
    {
        T[]? items = _items;
        return items is not null && (uint)depth < (uint)items.Length ? items[depth] : GrowTo(owner, depth);
    }

    /// <summary>Makes sure <paramref name="count"/> levels exist.</summary>
    internal void Reserve(TOwner owner, int count)
    {
        if (count > Length)
        {
            Grow(owner, count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T GrowTo(TOwner owner, int depth)
    {
        Debug.Assert(depth >= Length);
        Grow(owner, Math.Max(depth + 1, Length * 2));
        return _items![depth];
    }

    private void Grow(TOwner owner, int count)
    {
        T[] items = new T[count];
        int existing = Length;
        _items?.CopyTo(items, 0);
        for (int i = existing; i < count; i++)
        {
            items[i] = T.Create(owner);
        }

        _items = items;
    }
}
