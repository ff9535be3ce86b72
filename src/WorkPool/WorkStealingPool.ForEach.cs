namespace WorkPool;

public sealed partial class WorkStealingPool
{
    // ForEach over arrays, segments and memory: a loop over [0, Length) through the same engine
    // as For (see Loop.cs), so splitting, the caller's part, exceptions and cancellation behave
    // exactly as for For. Every source is viewed as Memory<T> (no copy).

    /// <summary>
    /// Runs <paramref name="body"/> for every element of <paramref name="source"/>, potentially in
    /// parallel, and returns when all have finished; see <see cref="For(int, int, Action{int}, CancellationToken)"/>
    /// for how the loop is split and how exceptions are reported.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The elements.</param>
    /// <param name="body">The iteration, given each element by value. Allocation-free when it captures nothing; the state form avoids a closure, the struct-body form passes elements by reference.</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="body"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForEach<T>(T[] source, Action<T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ForEach(new ReadOnlyMemory<T>(source), body, cancellationToken);
    }

    /// <inheritdoc cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>
    public void ForEach<T>(ArraySegment<T> source, Action<T> body, CancellationToken cancellationToken = default) =>
        ForEach((ReadOnlyMemory<T>)source, body, cancellationToken);

    /// <inheritdoc cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>
    public void ForEach<T>(Memory<T> source, Action<T> body, CancellationToken cancellationToken = default) =>
        ForEach((ReadOnlyMemory<T>)source, body, cancellationToken);

    /// <inheritdoc cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>
    public void ForEach<T>(ReadOnlyMemory<T> source, Action<T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new ReadOnlyMemoryRange<T, ActionForEachBody<T>>(source, new ActionForEachBody<T>(body));
        ForCore(0, source.Length, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, element) for every element of
    /// <paramref name="source"/>, potentially in parallel; see
    /// <see cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>. With a <c>static</c> lambda
    /// this form needs no closure and is allocation-free.
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
    public void ForEach<T, TState>(T[] source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ForEach(new ReadOnlyMemory<T>(source), state, body, cancellationToken);
    }

    /// <inheritdoc cref="ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>
    public void ForEach<T, TState>(ArraySegment<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) =>
        ForEach((ReadOnlyMemory<T>)source, state, body, cancellationToken);

    /// <inheritdoc cref="ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>
    public void ForEach<T, TState>(Memory<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default) =>
        ForEach((ReadOnlyMemory<T>)source, state, body, cancellationToken);

    /// <inheritdoc cref="ForEach{T, TState}(T[], TState, Action{TState, T}, CancellationToken)"/>
    public void ForEach<T, TState>(ReadOnlyMemory<T> source, TState state, Action<TState, T> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var range = new ReadOnlyMemoryRange<T, StateActionForEachBody<TState, T>>(source, new StateActionForEachBody<TState, T>(state, body));
        ForCore(0, source.Length, ref range, 1, cancellationToken);
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every element of <paramref name="source"/>,
    /// by reference and with its index, potentially in parallel; see
    /// <see cref="ForEach{T}(T[], Action{T}, CancellationToken)"/>. Allocation-free, and the JIT
    /// can inline <see cref="IForEachBody{T}.Invoke"/>. Every element runs on one shared copy of
    /// the body, which is copied back into <paramref name="body"/> when the loop returns.
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
    public void ForEach<T, TBody>(T[] source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ForEach(new Memory<T>(source), ref body, minChunkLength, cancellationToken);
    }

    /// <inheritdoc cref="ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/>
    public void ForEach<T, TBody>(ArraySegment<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T> => ForEach((Memory<T>)source, ref body, minChunkLength, cancellationToken);

    /// <inheritdoc cref="ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/>
    public void ForEach<T, TBody>(Memory<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IForEachBody<T>
    {
        var range = new MemoryRange<T, TBody>(source, body);
        try
        {
            ForCore(0, source.Length, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }

    /// <summary>
    /// Runs the struct body <paramref name="body"/> for every element of <paramref name="source"/>,
    /// by read-only reference and with its index, potentially in parallel; see
    /// <see cref="ForEach{T, TBody}(T[], ref TBody, int, CancellationToken)"/>. Allocation-free.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TBody">The body type.</typeparam>
    /// <param name="source">The elements.</param>
    /// <param name="body">The body, passed by reference and updated with its final state.</param>
    /// <param name="minChunkLength">The loop is not split into pieces shorter than this (unless the source is shorter).</param>
    /// <param name="cancellationToken">Checked before each piece of the loop runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minChunkLength"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the loop started or by the time it finished.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed and the source is not empty.</exception>
    /// <exception cref="AggregateException">One or more iterations threw (always an aggregate); see <see cref="For(int, int, Action{int}, CancellationToken)"/>.</exception>
    public void ForEach<T, TBody>(ReadOnlyMemory<T> source, ref TBody body, int minChunkLength = 1, CancellationToken cancellationToken = default)
        where TBody : struct, IReadOnlyForEachBody<T>
    {
        var range = new ReadOnlyMemoryRange<T, TBody>(source, body);
        try
        {
            ForCore(0, source.Length, ref range, minChunkLength, cancellationToken);
        }
        finally
        {
            body = range.Body;
        }
    }
}
