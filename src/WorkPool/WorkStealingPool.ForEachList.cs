using System.Runtime.CompilerServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    // ForEach over List<T>, IList<T> and IReadOnlyList<T> (see ForEachListBodies.cs): the same
    // loop as over arrays, with the same three forms. A type that is both an IList<T> and an
    // IReadOnlyList<T> (Collection<T>, ReadOnlyCollection<T>, ImmutableList<T>, ...) binds to the
    // IReadOnlyList<T> overloads (OverloadResolutionPriority), so passing one is never ambiguous.

    /// <summary>
    /// Runs <paramref name="body"/> for every element of <paramref name="source"/>, potentially in
    /// parallel, reading the list's backing array (no copy); see
    /// <see cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>. The count is read once, when
    /// the loop starts; the list must not change until the loop returns.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The elements.</param>
    /// <param name="body">The iteration, given each element by value. Allocation-free when it captures nothing.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForEach<T>(List<T> source, Action<T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new ListRange<T, ByReadOnlyReference<T, ActionForEachBody<T>>>(source, new(new ActionForEachBody<T>(body)));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every element of <paramref name="source"/>, potentially in
    /// parallel, reading each through the list's indexer; see
    /// <see cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>. The count is read once, when
    /// the loop starts; the list must not change until the loop returns, and its indexer must
    /// allow concurrent reads.
    /// </summary>
    /// <inheritdoc cref="ForEach{T}(List{T}, Action{T}, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public void ForEach<T>(IReadOnlyList<T> source, Action<T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexedRange<T, ReadOnlyListSource<T>, ActionForEachBody<T>>(new(source), new ActionForEachBody<T>(body));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <inheritdoc cref="ForEach{T}(IReadOnlyList{T}, Action{T}, CancellationToken)"/>
    public void ForEach<T>(IList<T> source, Action<T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexedRange<T, ListInterfaceSource<T>, ActionForEachBody<T>>(new(source), new ActionForEachBody<T>(body));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, element) for every element of
    /// <paramref name="source"/>, potentially in parallel, reading the list's backing array (no
    /// copy); see <see cref="ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>.
    /// With a <c>static</c> lambda this form is allocation-free. The list must not change until the loop returns.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TState">The type of the state passed to every iteration.</typeparam>
    /// <param name="source">The elements.</param>
    /// <param name="state">Passed to every iteration.</param>
    /// <param name="body">The iteration, given the state and each element by value.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForEach<T, TState>(List<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new ListRange<T, ByReadOnlyReference<T, StateActionForEachBody<TState, T>>>(source, new(new StateActionForEachBody<TState, T>(state, body)));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, element) for every element of
    /// <paramref name="source"/>, potentially in parallel, reading each through the list's
    /// indexer; see <see cref="ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>.
    /// With a <c>static</c> lambda this form needs no closure. The list must not change until the
    /// loop returns, and its indexer must allow concurrent reads.
    /// </summary>
    /// <inheritdoc cref="ForEach{T, TState}(List{T}, TState, Action{TState, T}, CancellationToken)"/>
    [OverloadResolutionPriority(1)]
    public void ForEach<T, TState>(IReadOnlyList<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexedRange<T, ReadOnlyListSource<T>, StateActionForEachBody<TState, T>>(new(source), new StateActionForEachBody<TState, T>(state, body));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <inheritdoc cref="ForEach{T, TState}(IReadOnlyList{T}, TState, Action{TState, T}, CancellationToken)"/>
    public void ForEach<T, TState>(IList<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(body);
        var range = new IndexedRange<T, ListInterfaceSource<T>, StateActionForEachBody<TState, T>>(new(source), new StateActionForEachBody<TState, T>(state, body));
        ForCore(0, source.Count, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every element of <paramref name="source"/>,
    /// by reference into the list's backing array and with its index, potentially in parallel;
    /// see <see cref="ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/>.
    /// Allocation-free. The list must not change until the loop returns (its elements may: each
    /// is passed to exactly one iteration).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="source">The elements; the body may update them in place.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">The loop is not split into pieces shorter than this (unless the source is shorter).</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForEach<T, TBody>(List<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        var range = new ListRange<T, TBody>(source, body);
        try
        {
            ForCore(0, source.Count, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every element of <paramref name="source"/>,
    /// read through the list's indexer and passed by read-only reference with its index,
    /// potentially in parallel; see <see cref="ForEach{T, TBody}(ReadOnlyMemory{T}, ref TBody, int, CancellationToken)"/>.
    /// Allocation-free when the list's indexer is. The list must not change until the loop
    /// returns, and its indexer must allow concurrent reads.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="source">The elements.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">The loop is not split into pieces shorter than this (unless the source is shorter).</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    [OverloadResolutionPriority(1)]
    public void ForEach<T, TBody>(IReadOnlyList<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        var range = new IndexedRange<T, ReadOnlyListSource<T>, TBody>(new(source), body);
        try
        {
            ForCore(0, source.Count, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }

    /// <inheritdoc cref="ForEach{T, TBody}(IReadOnlyList{T}, ref TBody, int, CancellationToken)"/>
    public void ForEach<T, TBody>(IList<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        var range = new IndexedRange<T, ListInterfaceSource<T>, TBody>(new(source), body);
        try
        {
            ForCore(0, source.Count, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }
}
