namespace WorkPool;

// Adapters that turn every public async form (InstallAsync, ScopeAsync, ForAsync; delegate,
// state + delegate, struct body) into one struct body with a result, so the engine has one async
// code path: AsyncJob<TBody, TResult> over TBody : struct, IAsyncBody<TResult>. The forms that
// return a plain ValueTask use NoResult.

/// <summary>A body run by an <see cref="AsyncJob{TBody, TResult}"/>: the work, and what its ValueTask returns afterwards.</summary>
internal interface IAsyncBody<out TResult> : IWork
{
    /// <summary>The result, read once after <see cref="IWork.Run"/> returned.</summary>
    TResult Result { get; }
}

/// <summary>Async body for <see cref="Action"/>.</summary>
internal readonly struct AsyncActionBody(Action action) : IAsyncBody<NoResult>
{
    public NoResult Result => default;

    public void Run(ForkContext context) => action();
}

/// <summary>Async body for <see cref="Func{TResult}"/>.</summary>
internal struct AsyncFuncBody<TResult>(Func<TResult> function) : IAsyncBody<TResult>
{
    private TResult _result = default!;

    public readonly TResult Result => _result;

    public void Run(ForkContext context) => _result = function();
}

/// <summary>Async body for <see cref="Action{TState}"/> with its state (no closure needed).</summary>
internal readonly struct AsyncStateActionBody<TState>(TState state, Action<TState> action) : IAsyncBody<NoResult>
{
    public NoResult Result => default;

    public void Run(ForkContext context) => action(state);
}

/// <summary>Async body for <see cref="Func{TState, TResult}"/> with its state (no closure needed).</summary>
internal struct AsyncStateFuncBody<TState, TResult>(TState state, Func<TState, TResult> function) : IAsyncBody<TResult>
{
    private TResult _result = default!;

    public readonly TResult Result => _result;

    public void Run(ForkContext context) => _result = function(state);
}

/// <summary>Async body for a struct body: its result is the body's final state (what <c>Install(ref work)</c> copies back).</summary>
internal struct AsyncWorkBody<TWork>(TWork work) : IAsyncBody<TWork>
    where TWork : struct, IWork
{
    private TWork _work = work;

    public readonly TWork Result => _work;

    public void Run(ForkContext context) => _work.Run(context);
}

/// <summary>Async body for a result-returning struct body.</summary>
internal struct AsyncResultWorkBody<TWork, TResult>(TWork work) : IAsyncBody<TResult>
    where TWork : struct, IWork<TResult>
{
    private TWork _work = work;
    private TResult _result = default!;

    public readonly TResult Result => _result;

    public void Run(ForkContext context) => _result = _work.Run(context);
}

/// <summary>Async body of ScopeAsync: runs the scope on the worker that takes the job; its result is the scope body's final state.</summary>
internal struct AsyncScopeBody<TBody>(TBody body, CancellationToken cancellationToken) : IAsyncBody<TBody>
    where TBody : struct, IScopeWork
{
    private TBody _body = body;

    public readonly TBody Result => _body;

    public void Run(ForkContext context) => context.Participant.RunScope(ref _body, cancellationToken);
}

/// <summary>Async body of ForAsync: runs the loop on the worker that takes the job (split there through Join); its result is the loop body's final state.</summary>
internal struct AsyncForBody<TBody>(int fromInclusive, int toExclusive, TBody body, int minChunkLength, CancellationToken cancellationToken) : IAsyncBody<TBody>
    where TBody : struct, IForBody
{
    private TBody _body = body;

    public readonly TBody Result => _body;

    public void Run(ForkContext context) => context.Pool.For(fromInclusive, toExclusive, ref _body, minChunkLength, cancellationToken);
}

/// <summary>Async body that runs a body and drops its final state: for the forms whose ValueTask has no result (the delegate and state forms of ForAsync).</summary>
internal struct AsyncDiscardBody<TWork>(TWork work) : IAsyncBody<NoResult>
    where TWork : struct, IWork
{
    private TWork _work = work;

    public readonly NoResult Result => default;

    public void Run(ForkContext context) => _work.Run(context);
}
