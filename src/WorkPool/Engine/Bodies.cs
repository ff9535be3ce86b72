namespace WorkPool;

// Adapters that turn every public form (delegate, state + delegate, struct with a result) into
// a struct body, so the engine has one code path over TWork : struct, IWork.
// Results travel back in the body's fields.

/// <summary>Body for <see cref="Action"/>.</summary>
internal readonly struct ActionBody(Action action) : IWork
{
    public void Run(ForkContext context) => action();
}

/// <summary>Body for <see cref="Func{TResult}"/>.</summary>
internal struct FuncBody<TResult>(Func<TResult> function) : IWork
{
    public TResult Result = default!;

    public void Run(ForkContext context) => Result = function();
}

/// <summary>Body for <see cref="Action{TState}"/> with its state (no closure needed).</summary>
internal readonly struct StateActionBody<TState>(TState state, Action<TState> action) : IWork
{
    public void Run(ForkContext context) => action(state);
}

/// <summary>Body for <see cref="Func{TState, TResult}"/> with its state (no closure needed).</summary>
internal struct StateFuncBody<TState, TResult>(TState state, Func<TState, TResult> function) : IWork
{
    public TResult Result = default!;

    public void Run(ForkContext context) => Result = function(state);
}

/// <summary>Body for a result-returning struct body.</summary>
internal struct ResultBody<TWork, TResult>(TWork work) : IWork
    where TWork : struct, IWork<TResult>
{
    private TWork _work = work;

    public TResult Result = default!;

    public void Run(ForkContext context) => Result = _work.Run(context);
}

/// <summary>A Join called from outside the pool, or continued on a worker by a guest near its stack limit: installed as one job, then joined on the worker that runs it.</summary>
internal struct JoinBody<TA, TB>(TA a, TB b) : IWork
    where TA : struct, IWork
    where TB : struct, IWork
{
    public TA A = a;
    public TB B = b;

    public void Run(ForkContext context) => context.Join(ref A, ref B);
}

/// <summary>Body for a broadcast <see cref="Action{Int32}"/>: called with the worker's index.</summary>
internal readonly struct BroadcastActionBody(Action<int> action) : IWork
{
    public void Run(ForkContext context) => action(context.WorkerIndex);
}

/// <summary>Body for a broadcast <see cref="Action{TState, Int32}"/> with its state.</summary>
internal readonly struct BroadcastStateBody<TState>(TState state, Action<TState, int> action) : IWork
{
    public void Run(ForkContext context) => action(state, context.WorkerIndex);
}

/// <summary>Body for <see cref="Action{Scope}"/>.</summary>
internal readonly struct ScopeActionBody(Action<Scope> action) : IScopeWork
{
    public void Run(Scope scope) => action(scope);
}

/// <summary>Body for <see cref="Action{TState, Scope}"/> with its state (the state first, as in every state form).</summary>
internal readonly struct ScopeStateActionBody<TState>(TState state, Action<TState, Scope> action) : IScopeWork
{
    public void Run(Scope scope) => action(state, scope);
}

/// <summary>A scope started from outside the pool: installed as one job, then run on the worker that takes it.</summary>
internal struct ScopeInstallBody<TBody>(TBody body, CancellationToken cancellationToken) : IWork
    where TBody : struct, IScopeWork
{
    public TBody Body = body;

    public void Run(ForkContext context) => context.Participant.RunScope(ref Body, cancellationToken);
}

/// <summary>
/// A body that the token forms (Install, Join's second half, Broadcast, Spawn) skip when their
/// token is canceled before it starts: the check runs where the body would start, on whichever
/// participant runs it, so work still waiting in a queue is skipped too.
/// </summary>
internal struct CancelableBody<TWork>(TWork work, CancellationToken token) : IWork
    where TWork : struct, IWork
{
    public TWork Work = work;

    /// <summary>Set when the token skipped the body (for a broadcast: on at least one worker; a plain store, read after the operation's completion fence).</summary>
    public bool Skipped;

    private readonly CancellationToken _token = token;

    public void Run(ForkContext context)
    {
        if (_token.IsCancellationRequested)
        {
            Skipped = true;
            return;
        }

        Work.Run(context);
    }
}
