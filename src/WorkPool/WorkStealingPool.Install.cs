namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs <paramref name="action"/> on a worker of this pool and waits for it. Called from a
    /// worker of this pool, it is a plain call. Called from a worker of another pool, that worker
    /// keeps running its own pool's jobs while it waits.
    /// </summary>
    /// <param name="action">The work. Allocation-free when it captures nothing (a <c>static</c> lambda or a cached delegate).</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <remarks>An exception thrown by <paramref name="action"/> is rethrown here with its original stack trace.</remarks>
    public void Install(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new ActionBody(action);
        InstallCore(ref body);
    }

    /// <summary>Runs <paramref name="function"/> on a worker of this pool, waits for it and returns its result; see <see cref="Install(Action)"/>.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The work. Allocation-free when it captures nothing.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TResult>(Func<TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new FuncBody<TResult>(function);
        InstallCore(ref body);
        return body.Result;
    }

    /// <summary>
    /// Runs <paramref name="action"/>(<paramref name="state"/>) on a worker of this pool and waits
    /// for it; see <see cref="Install(Action)"/>. With a <c>static</c> lambda this form needs no
    /// closure and is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="action">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public void Install<TState>(TState state, Action<TState> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var body = new StateActionBody<TState>(state, action);
        InstallCore(ref body);
    }

    /// <summary>
    /// Runs <paramref name="function"/>(<paramref name="state"/>) on a worker of this pool, waits
    /// for it and returns its result; see <see cref="Install(Action)"/>. With a <c>static</c>
    /// lambda this form is allocation-free.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the function.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">Passed to <paramref name="function"/>.</param>
    /// <param name="function">The work.</param>
    /// <returns>The value <paramref name="function"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TState, TResult>(TState state, Func<TState, TResult> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var body = new StateFuncBody<TState, TResult>(state, function);
        InstallCore(ref body);
        return body.Result;
    }

    /// <summary>
    /// Runs the struct body <paramref name="work"/> on a worker of this pool and waits for it;
    /// see <see cref="Install(Action)"/>. Allocation-free. The body runs on a copy that is copied
    /// back, so fields it assigned (its results) are visible in <paramref name="work"/> afterwards.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="work">The body, passed by reference and updated with the body's final state.</param>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public void Install<TWork>(ref TWork work)
        where TWork : struct, IWork
    {
        InstallCore(ref work);
    }

    /// <summary>
    /// Runs the result-returning struct body <paramref name="work"/> on a worker of this pool,
    /// waits for it and returns its result; see <see cref="Install(Action)"/>. Allocation-free.
    /// C# cannot infer <typeparamref name="TResult"/>, so name both type arguments.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="work">The body.</param>
    /// <returns>The value the body's <see cref="IWork{TResult}.Run"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    public TResult Install<TWork, TResult>(TWork work)
        where TWork : struct, IWork<TResult>
    {
        var body = new ResultBody<TWork, TResult>(work);
        InstallCore(ref body);
        return body.Result;
    }

    private void InstallCore<TWork>(ref TWork work)
        where TWork : struct, IWork
    {
        ThreadContext? context = ThreadContext.CurrentOrNull;
        if (IsWorkerOfThisPool(context))
        {
            // Already on a worker of this pool: a plain call, no queue, no latch.
            work.Run(new ForkContext(context!.Worker!));
            return;
        }

        InstallFromOutside(ref work, context)?.Throw();
    }
}
