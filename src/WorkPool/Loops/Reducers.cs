using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>Loop body over an <see cref="IRangeReducer{TResult}"/>.</summary>
internal readonly struct ReducerLoopBody<TReducer, TResult>(TReducer reducer) : ILoopBody<TResult>
    where TReducer : struct, IRangeReducer<TResult>
{
    public TResult Identity() => reducer.Identity();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags) =>
        reducer.Accumulate(accumulator, fromInclusive, toExclusive);

    public TResult Combine(TResult left, TResult right) => reducer.Combine(left, right);
}

/// <summary>Reducer over delegates that accumulate one index at a time.</summary>
internal readonly struct FuncReducer<TResult>(TResult identity, Func<TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(accumulator, (int)i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}

/// <summary>Reducer over delegates with a state (no closure needed).</summary>
internal readonly struct StateFuncReducer<TState, TResult>(TState state, TResult identity, Func<TState, TResult, int, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(state, accumulator, (int)i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}

/// <summary>Reducer over delegates that take a <see cref="long"/> index (the long-range forms).</summary>
internal readonly struct LongFuncReducer<TResult>(TResult identity, Func<TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(accumulator, i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}

/// <summary>Reducer over delegates with a state that take a <see cref="long"/> index.</summary>
internal readonly struct LongStateFuncReducer<TState, TResult>(TState state, TResult identity, Func<TState, TResult, long, TResult> accumulate, Func<TResult, TResult, TResult> combine) : IRangeReducer<TResult>
{
    public TResult Identity() => identity;

    public TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            accumulator = accumulate(state, accumulator, i);
        }

        return accumulator;
    }

    public TResult Combine(TResult left, TResult right) => combine(left, right);
}
