using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

// ForEach over lists: the same loop over [0, Count) as over arrays (see ForEachBodies.cs). A
// List<T> is read through its backing array (CollectionsMarshal.AsSpan, once per sub-range: no
// copy, elements by reference); an IList<T> or IReadOnlyList<T> through its indexer, each
// element copied into a local that the body gets by read-only reference. The count is taken
// once, when the loop starts: as with Parallel.ForEach, changing the list during the loop is the
// caller's error (a shrunk List<T> makes the loop throw, an IList<T> does what its indexer does).

/// <summary>Range body over the elements of a <see cref="List{T}"/>, by reference into its backing array.</summary>
internal struct ListRange<T, TBody>(List<T> source, TBody body) : IForRangeBody
    where TBody : struct, IForEachBody<T>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        Span<T> span = CollectionsMarshal.AsSpan(source);
        int end = (int)toExclusive;
        for (int i = (int)fromInclusive; i < end; i++)
        {
            Body.Invoke(ref span[i], i);
        }
    }
}

/// <summary>A list read through its indexer (<see cref="IReadOnlyList{T}"/> and <see cref="IList{T}"/> share no indexer interface).</summary>
internal interface IIndexedSource<T>
{
    /// <summary>The element at <paramref name="index"/>.</summary>
    T this[int index] { get; }
}

/// <summary>An <see cref="IReadOnlyList{T}"/> as an <see cref="IIndexedSource{T}"/>.</summary>
internal readonly struct ReadOnlyListSource<T>(IReadOnlyList<T> list) : IIndexedSource<T>
{
    public T this[int index] => list[index];
}

/// <summary>An <see cref="IList{T}"/> as an <see cref="IIndexedSource{T}"/>.</summary>
internal readonly struct ListInterfaceSource<T>(IList<T> list) : IIndexedSource<T>
{
    public T this[int index] => list[index];
}

/// <summary>Range body over the elements of a list read through its indexer, each copied into a local passed by read-only reference.</summary>
internal struct IndexedRange<T, TSource, TBody>(TSource source, TBody body) : IForRangeBody
    where TSource : struct, IIndexedSource<T>
    where TBody : struct, IReadOnlyForEachBody<T>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        int end = (int)toExclusive;
        for (int i = (int)fromInclusive; i < end; i++)
        {
            T element = source[i];
            Body.Invoke(in element, i);
        }
    }
}

/// <summary>A read-only element body used where the range passes elements by reference (a <see cref="List{T}"/>'s delegate forms).</summary>
internal readonly struct ByReadOnlyReference<T, TBody>(TBody body) : IForEachBody<T>
    where TBody : struct, IReadOnlyForEachBody<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(ref T element, int index) => body.Invoke(in element, index);
}
