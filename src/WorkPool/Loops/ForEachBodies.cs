using System.Runtime.CompilerServices;

namespace WorkPool;

// ForEach is a loop over [0, source.Length): these range bodies turn each sub-range into a span
// of the source and hand its elements to the user's body. Memory<T> covers every source type
// (arrays and segments convert to it without copying, ReadOnlyMemory<T> through MemoryMarshal),
// so there is one adapter per body kind, not one per source type.

/// <summary>Range body over the elements of a <see cref="Memory{T}"/>, by reference.</summary>
internal struct MemoryRange<T, TBody>(Memory<T> source, TBody body) : IForRangeBody
    where TBody : struct, IForEachBody<T>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        // One Span per sub-range (getting it checks the memory's kind), then a plain loop.
        Span<T> span = source.Span;
        int end = (int)toExclusive;
        for (int i = (int)fromInclusive; i < end; i++)
        {
            Body.Invoke(ref span[i], i);
        }
    }
}

/// <summary>Range body over the elements of a <see cref="ReadOnlyMemory{T}"/>, by read-only reference.</summary>
internal struct ReadOnlyMemoryRange<T, TBody>(ReadOnlyMemory<T> source, TBody body) : IForRangeBody
    where TBody : struct, IReadOnlyForEachBody<T>
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        ReadOnlySpan<T> span = source.Span;
        int end = (int)toExclusive;
        for (int i = (int)fromInclusive; i < end; i++)
        {
            Body.Invoke(in span[i], i);
        }
    }
}

/// <summary>Element body for <see cref="Action{T}"/> (by value, like <c>Parallel.ForEach</c>).</summary>
internal readonly struct ActionForEachBody<T>(Action<T> body) : IReadOnlyForEachBody<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(in T element, int index) => body(element);
}

/// <summary>Element body for <see cref="Action{TState, T}"/> with its state (no closure needed).</summary>
internal readonly struct StateActionForEachBody<TState, T>(TState state, Action<TState, T> body) : IReadOnlyForEachBody<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Invoke(in T element, int index) => body(state, element);
}
