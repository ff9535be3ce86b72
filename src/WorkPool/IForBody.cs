namespace WorkPool;

/// <summary>
/// The body of a parallel loop over <see cref="int"/> indices as a struct, for
/// <see cref="WorkStealingPool.For{TBody}(int, int, ref TBody, int, CancellationToken)"/>. The JIT
/// specializes the loop for the struct and can inline <see cref="Invoke"/>; no delegate, closure
/// or boxing is involved, so this form is allocation-free.
/// </summary>
/// <remarks>
/// Every index is invoked on the same instance, possibly from several threads at once: keep the
/// fields the body writes to per-index locations (array elements) or use interlocked operations.
/// </remarks>
public interface IForBody
{
    /// <summary>Runs one iteration of the loop.</summary>
    /// <param name="index">The index of the iteration.</param>
    void Invoke(int index);
}

/// <summary>
/// The body of a parallel loop over <see cref="long"/> indices as a struct, for
/// <see cref="WorkStealingPool.For{TBody}(long, long, ref TBody, long, CancellationToken)"/>; see
/// <see cref="IForBody"/>.
/// </summary>
public interface ILongForBody
{
    /// <summary>Runs one iteration of the loop.</summary>
    /// <param name="index">The index of the iteration.</param>
    void Invoke(long index);
}
