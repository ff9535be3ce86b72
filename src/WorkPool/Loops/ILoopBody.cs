using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A loop body as the engine sees it: accumulates pieces of the range into a result. For the
/// loops without a result, <typeparamref name="TResult"/> is <see cref="NoResult"/>.
/// </summary>
internal interface ILoopBody<TResult>
{
    /// <summary>The result of an empty piece (also what a skipped piece contributes).</summary>
    TResult Identity();

    /// <summary>Runs the iterations [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) into <paramref name="accumulator"/>.</summary>
    TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags);

    /// <summary>Combines the results of two adjacent ranges, <paramref name="left"/> before <paramref name="right"/> in the tree.</summary>
    TResult Combine(TResult left, TResult right);
}

/// <summary>The result of a loop that has none.</summary>
internal readonly struct NoResult
{
}
