namespace WorkPool;

/// <summary>
/// The body of a parallel loop that receives whole sub-ranges [from, to) rather than single
/// indices, for <see cref="WorkStealingPool.ForRange{TBody}(long, long, ref TBody, long, CancellationToken)"/>:
/// the inner loop over a sub-range is the caller's own code, so it can be vectorized or keep
/// running sums in registers. Allocation-free, like <see cref="IForBody"/>.
/// </summary>
/// <remarks>
/// The sub-ranges are disjoint, non-empty and together cover the loop's range exactly once; they
/// may run on several threads at once, on the same instance (see <see cref="IForBody"/>).
/// For a loop over <see cref="int"/> indices, both bounds
/// always fit in an <see cref="int"/>.
/// </remarks>
public interface IForRangeBody
{
    /// <summary>Runs the iterations <paramref name="fromInclusive"/>, <paramref name="fromInclusive"/> + 1, …, <paramref name="toExclusive"/> − 1.</summary>
    /// <param name="fromInclusive">The first index of the sub-range.</param>
    /// <param name="toExclusive">The end of the sub-range; greater than <paramref name="fromInclusive"/>.</param>
    void Invoke(long fromInclusive, long toExclusive);
}
