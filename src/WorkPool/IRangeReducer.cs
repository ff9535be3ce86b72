namespace WorkPool;

/// <summary>
/// A reduction over a range of indices as a struct, for
/// <see cref="WorkStealingPool.Reduce{TReducer, TResult}(long, long, TReducer, long, bool, CancellationToken)"/>:
/// each piece of the range is accumulated from <see cref="Identity"/> by <see cref="Accumulate"/>
/// (your own inner loop, which can be vectorized), and the partial results are combined by
/// <see cref="Combine"/>. Allocation-free, and the JIT can inline all three.
/// </summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
/// <remarks>
/// <para><see cref="Combine"/> must be associative, and <see cref="Identity"/> its neutral
/// element. In the deterministic mode, partial results are combined in index order (left piece
/// first) along a tree that depends only on the range and the minimum piece length, so a
/// floating-point sum is bitwise the same on every run. In the adaptive mode, a partial result may
/// cover pieces that are not adjacent, so <see cref="Combine"/> must also be commutative (the sum of
/// integers is; a string concatenation is not), and floating-point results may differ in the last
/// bits from run to run.</para>
/// <para>The same instance is used from several threads at once: keep it read-only (the data to
/// reduce, parameters) and return results rather than storing them in fields.</para>
/// </remarks>
public interface IRangeReducer<TResult>
{
    /// <summary>The neutral element of <see cref="Combine"/>: the result of an empty range.</summary>
    /// <returns>The identity, e.g. 0 for a sum, 1 for a product.</returns>
    TResult Identity();

    /// <summary>Adds the iterations [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>) to <paramref name="accumulator"/>.</summary>
    /// <param name="accumulator">The result so far of this part of the loop (starting at <see cref="Identity"/>).</param>
    /// <param name="fromInclusive">The first index of the piece.</param>
    /// <param name="toExclusive">The end of the piece; greater than <paramref name="fromInclusive"/>. For a loop over <see cref="int"/> indices, both bounds fit in an <see cref="int"/>.</param>
    /// <returns>The accumulator with the piece added.</returns>
    TResult Accumulate(TResult accumulator, long fromInclusive, long toExclusive);

    /// <summary>Combines two partial results; <paramref name="left"/> covers lower indices in the deterministic mode.</summary>
    /// <param name="left">The first partial result.</param>
    /// <param name="right">The second partial result.</param>
    /// <returns>The combined result.</returns>
    TResult Combine(TResult left, TResult right);
}
