using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>Loop body over an <see cref="IForRangeBody"/> (For, ForRange, ForEach).</summary>
internal struct RangeLoopBody<TRange>(TRange body) : ILoopBody<NoResult>
    where TRange : struct, IForRangeBody
{
    public TRange Body = body;

    public readonly NoResult Identity() => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NoResult Accumulate(NoResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags)
    {
        Body.Invoke(fromInclusive, toExclusive);
        return accumulator;
    }

    public readonly NoResult Combine(NoResult left, NoResult right) => default;
}

/// <summary>Range body over an <see cref="IForBody"/>.</summary>
internal struct IndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, IForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        Debug.Assert(fromInclusive >= int.MinValue && toExclusive <= (long)int.MaxValue + 1, "An int loop's ranges fit in int.");
        // long counter: an int one would overflow when toExclusive is int.MaxValue.
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke((int)i);
        }
    }
}

/// <summary>Range body over an <see cref="ILongForBody"/>.</summary>
internal struct LongIndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, ILongForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke(i);
        }
    }
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="int"/>.</summary>
internal readonly struct ActionForBody(Action<int> body) : IForBody
{
    public void Invoke(int index) => body(index);
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="long"/>.</summary>
internal readonly struct LongActionForBody(Action<long> body) : ILongForBody
{
    public void Invoke(long index) => body(index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="int"/> with its state (no closure needed).</summary>
internal readonly struct StateActionForBody<TState>(TState state, Action<TState, int> body) : IForBody
{
    public void Invoke(int index) => body(state, index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="long"/> with its state (no closure needed).</summary>
internal readonly struct LongStateActionForBody<TState>(TState state, Action<TState, long> body) : ILongForBody
{
    public void Invoke(long index) => body(state, index);
}
