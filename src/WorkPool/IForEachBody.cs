namespace WorkPool;

/// <summary>
/// The body of a parallel loop over the elements of an array, an <see cref="ArraySegment{T}"/> or
/// a <see cref="Memory{T}"/> as a struct, for
/// <see cref="WorkStealingPool.ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/> and its
/// overloads. It receives each element by reference, so it can update elements in place without
/// copying them. Allocation-free, and the JIT can inline <see cref="Invoke"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// Every element is invoked on the same instance, possibly from several threads at once (see
/// <see cref="IForBody"/>); each element is passed exactly once, so writing to it is race-free.
/// </remarks>
public interface IForEachBody<T>
{
    /// <summary>Runs one iteration.</summary>
    /// <param name="element">The element, by reference into the source.</param>
    /// <param name="index">Its index in the source (0 for the first element of a segment or memory).</param>
    void Invoke(ref T element, int index);
}

/// <summary>
/// The body of a parallel loop over the elements of a <see cref="ReadOnlyMemory{T}"/> as a
/// struct, for <see cref="WorkStealingPool.ForEach{T, TBody}(ReadOnlyMemory{T}, ref TBody, int, CancellationToken)"/>:
/// like <see cref="IForEachBody{T}"/>, but each element is passed by read-only reference.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public interface IReadOnlyForEachBody<T>
{
    /// <summary>Runs one iteration.</summary>
    /// <param name="element">The element, by read-only reference into the source.</param>
    /// <param name="index">Its index in the source.</param>
    void Invoke(in T element, int index);
}
