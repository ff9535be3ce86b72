using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A handle to a running scope (<see cref="WorkStealingPool.Scope(Action{Scope}, CancellationToken)"/>):
/// spawn jobs into it from its body or from its jobs, on any thread, until the scope ends.
/// </summary>
/// <remarks>
/// <para>A small struct, free to copy and pass around; it allocates nothing. It is valid only
/// while its scope runs: the scope ends when its body and every job spawned into it (including
/// jobs spawned by those jobs) have finished, and after that every <c>Spawn</c> through the
/// handle throws <see cref="InvalidOperationException"/>. It never reaches another scope, even
/// though the pool reuses the memory behind handles.</para>
/// <para>A spawn from a worker of the scope's pool goes onto that worker's deque (when the
/// deque is full, the job runs right away on the spawning thread); a spawn from any other thread
/// goes through the pool's injector ring, waiting while the ring is full.</para>
/// </remarks>
public readonly struct Scope
{
    private readonly ScopeState? _state;
    private readonly uint _generation;

    internal Scope(ScopeState state, uint generation)
    {
        _state = state;
        _generation = generation;
    }

    /// <summary>The pool the scope's jobs run on.</summary>
    /// <exception cref="InvalidOperationException">The scope has ended, or this is a <c>default</c> handle.</exception>
    public WorkStealingPool Pool
    {
        get
        {
            ScopeState state = State;
            WorkStealingPool? pool = state.Pool;
            if (pool is null || !IsActive)
            {
                ThrowEnded();
            }

            return pool;
        }
    }

    /// <summary>Whether the scope is still running (its handle can still spawn). A snapshot: a scope that is running may end at any moment unless the caller is its body or one of its jobs.</summary>
    public bool IsActive => _state is not null && _state.IsLive(_generation);

    /// <summary>The token the scope was started with; jobs that have not started when it is canceled are skipped.</summary>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> handle.</exception>
    public CancellationToken CancellationToken => State.CancellationToken;

    private ScopeState State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _state ?? ThrowDefault();
    }

    /// <summary>Spawns <paramref name="job"/> into the scope; it runs once, on a worker, before the scope ends.</summary>
    /// <param name="job">
    /// The work; it gets this scope to spawn more (so it takes one parameter: <c>scope =&gt; ...</c>,
    /// unlike the fire-and-forget <see cref="WorkStealingPool.Spawn(Action)"/>, whose job nobody
    /// waits for). Allocation-free when it captures nothing (a <c>static</c> lambda).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The scope has ended, or this is a <c>default</c> handle.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public void Spawn(Action<Scope> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        State.Spawn(_generation, new ScopeActionBody(job));
    }

    /// <summary>Spawns <paramref name="job"/>(<paramref name="state"/>, scope) into the scope; see <see cref="Spawn(Action{Scope})"/>. With a <c>static</c> lambda it needs no closure and is allocation-free. The state comes first, as in every state form: <c>scope.Spawn(item, static (item, scope) =&gt; ...)</c>.</summary>
    /// <typeparam name="TState">The type of the state passed to the job.</typeparam>
    /// <param name="state">Passed to <paramref name="job"/>.</param>
    /// <param name="job">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The scope has ended, or this is a <c>default</c> handle.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public void Spawn<TState>(TState state, Action<TState, Scope> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        State.Spawn(_generation, new ScopeStateActionBody<TState>(state, job));
    }

    /// <summary>Spawns the struct job <paramref name="job"/> into the scope; see <see cref="Spawn(Action{Scope})"/>. Allocation-free.</summary>
    /// <typeparam name="TJob">
    /// The job type: an <see cref="IScopeWork"/>, whose <see cref="IScopeWork.Run(Scope)"/> receives
    /// this scope so the job can spawn more. An <see cref="IWork"/> body (which receives a
    /// <see cref="ForkContext"/>) is for <see cref="WorkStealingPool.Spawn{TWork}(TWork)"/>, the
    /// fire-and-forget spawn nobody waits for; passing one here fails to compile (CS0315: no boxing
    /// conversion to <see cref="IScopeWork"/>). To run an <see cref="IWork"/> body as a scope job, call
    /// <c>ForkJoin.Install(ref work)</c> from an <see cref="IScopeWork"/>'s <c>Run</c> (a plain call on the worker).
    /// </typeparam>
    /// <param name="job">The job, copied into the pool's job storage.</param>
    /// <exception cref="InvalidOperationException">The scope has ended, or this is a <c>default</c> handle.</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed.</exception>
    public void Spawn<TJob>(TJob job)
        where TJob : struct, IScopeWork => State.Spawn(_generation, job);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ScopeState ThrowDefault() =>
        throw new InvalidOperationException("This Scope is default; use the handle the pool passes to a scope body or job.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEnded() =>
        throw new InvalidOperationException("This scope has ended: a Scope handle is valid only until the Scope call that created it returns.");
}
