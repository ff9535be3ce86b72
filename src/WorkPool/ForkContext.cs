using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The worker a struct body runs on, passed to <see cref="IWork.Run"/> and
/// <see cref="IWork{TResult}.Run"/>. Forking through it with <see cref="Join{TA, TB}"/> skips the
/// thread-local lookup that every other entry point starts with, which costs more than the rest
/// of a Join that nobody steals: this is the fastest way to write recursive fork-join.
/// </summary>
/// <remarks>
/// A <c>ref struct</c>: it cannot be stored in a field, captured by a lambda or handed to
/// another thread, so it is only ever used on the worker thread it describes. A body that runs
/// on another worker (because it was stolen) receives that worker's context.
/// </remarks>
public readonly ref struct ForkContext
{
    private readonly Participant? _worker;

    internal ForkContext(Participant worker) => _worker = worker;

    /// <summary>The pool of the worker.</summary>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> context, not one the pool passed in.</exception>
    public WorkStealingPool Pool => Participant.Pool;

    /// <summary>The index of the worker in its pool, from 0 to <see cref="WorkStealingPool.ThreadCount"/> − 1.</summary>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> context, not one the pool passed in.</exception>
    public int WorkerIndex => Participant.Index;

    internal Participant Participant
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _worker ?? ThrowDefault();
    }

    /// <summary>
    /// Runs two struct bodies, potentially in parallel, on this worker's pool; see
    /// <see cref="WorkStealingPool.Join(Action, Action)"/> for how exceptions are reported.
    /// Allocation-free; when no worker is idle it costs about as much as calling both bodies.
    /// Each body's final state (the fields it assigned) is visible in <paramref name="a"/> and
    /// <paramref name="b"/> afterwards.
    /// </summary>
    /// <typeparam name="TA">The first body type.</typeparam>
    /// <typeparam name="TB">The second body type.</typeparam>
    /// <param name="a">The first half, run by this worker.</param>
    /// <param name="b">The second half, which an idle worker may take.</param>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> context, not one the pool passed in.</exception>
    /// <exception cref="AggregateException">Both halves threw (A's exception first, then B's).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Join<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork => Participant.Join(ref a, ref b);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Participant ThrowDefault() =>
        throw new InvalidOperationException("This ForkContext is default; use the context the pool passes to IWork.Run.");
}
