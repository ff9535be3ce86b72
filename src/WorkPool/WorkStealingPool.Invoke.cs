using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// Runs every action of <paramref name="actions"/>, potentially in parallel, and returns when
    /// all have finished: the N-way <see cref="Join(Action, Action)"/>, as a balanced tree of
    /// Joins, so idle workers take the biggest halves first. The counterpart of
    /// <c>Parallel.Invoke</c>; with the <c>params</c> span, a call with a handful of actions that
    /// capture nothing allocates nothing.
    /// </summary>
    /// <param name="actions">The actions; none may be null. Empty: returns at once.</param>
    /// <exception cref="ArgumentNullException">An action is null (nothing ran).</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with at least one action.</exception>
    /// <exception cref="AggregateException">
    /// Several actions threw: their exceptions, in the actions' order (flat, as nested Joins report
    /// them). When only one throws, that exception itself is rethrown, with its original stack
    /// trace, after every other action finished (docs/exceptions.md).
    /// </exception>
    public unsafe void Invoke(params ReadOnlySpan<Action> actions)
    {
        for (int i = 0; i < actions.Length; i++)
        {
            if (actions[i] is null)
            {
                ThrowNullPart(nameof(actions), i);
            }
        }

        if (actions.Length == 0)
        {
            return;
        }

        fixed (byte* first = &Unsafe.As<Action, byte>(ref MemoryMarshal.GetReference(actions)))
        {
            InvokeCore(new ActionParts(first), actions.Length);
        }
    }

    /// <summary>
    /// Runs every action of <paramref name="actions"/> with <paramref name="state"/>, potentially
    /// in parallel; see <see cref="Invoke(ReadOnlySpan{Action})"/>. With <c>static</c> lambdas
    /// in a collection expression (<c>pool.Invoke(state, [static s => A(s), static s => B(s)])</c>,
    /// a span on the caller's stack) this form needs no closure and is allocation-free.
    /// </summary>
    /// <remarks>
    /// The actions are a span, not a <c>params</c> list: with <c>params</c>, a call that passes an
    /// array of plain actions (<c>pool.Invoke(actions)</c>) would bind here, the array taken as the
    /// state and no action to run.
    /// </remarks>
    /// <typeparam name="TState">The type of the state passed to every action.</typeparam>
    /// <param name="state">Passed to every action.</param>
    /// <param name="actions">The actions; none may be null. Empty: returns at once.</param>
    /// <exception cref="ArgumentNullException">An action is null (nothing ran).</exception>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with at least one action.</exception>
    /// <exception cref="AggregateException">Several actions threw; see <see cref="Invoke(ReadOnlySpan{Action})"/>.</exception>
    public unsafe void Invoke<TState>(TState state, ReadOnlySpan<Action<TState>> actions)
    {
        for (int i = 0; i < actions.Length; i++)
        {
            if (actions[i] is null)
            {
                ThrowNullPart(nameof(actions), i);
            }
        }

        if (actions.Length == 0)
        {
            return;
        }

        fixed (byte* first = &Unsafe.As<Action<TState>, byte>(ref MemoryMarshal.GetReference(actions)))
        {
            InvokeCore(new StateActionParts<TState>(state, first), actions.Length);
        }
    }

    /// <summary>
    /// Runs every struct body of <paramref name="works"/>, potentially in parallel, each in place
    /// (its final state stays in <paramref name="works"/>); see <see cref="Invoke(ReadOnlySpan{Action})"/>.
    /// Allocation-free, and the JIT can inline <see cref="IWork.Run"/>. For two bodies of different
    /// types, use <see cref="Join{TA, TB}(ref TA, ref TB)"/>.
    /// </summary>
    /// <typeparam name="TWork">The body type.</typeparam>
    /// <param name="works">The bodies. Empty: returns at once.</param>
    /// <exception cref="ObjectDisposedException">Called from outside the pool after it was disposed, with at least one body.</exception>
    /// <exception cref="AggregateException">Several bodies threw; see <see cref="Invoke(ReadOnlySpan{Action})"/>.</exception>
    public unsafe void Invoke<TWork>(Span<TWork> works)
        where TWork : struct, IWork
    {
        if (works.Length == 0)
        {
            return;
        }

        fixed (byte* first = &Unsafe.As<TWork, byte>(ref MemoryMarshal.GetReference(works)))
        {
            InvokeCore(new WorkParts<TWork>(first), works.Length);
        }
    }

    // The parts stay pinned by the caller's fixed block until this returns, and every half of the
    // tree has finished by then (a Join returns only after both halves did).
    private void InvokeCore<TParts>(TParts parts, int count)
        where TParts : struct, IInvokeParts
    {
        var root = new InvokeSplit<TParts>(parts, 0, count);
        if (ThreadContext.CurrentOrNull?.Participant is { } participant && participant.Pool == this)
        {
            root.Run(new ForkContext(participant));
            return;
        }

        InstallCore(ref root)?.Throw();
    }

    [DoesNotReturn]
    private static void ThrowNullPart(string parameter, int index) =>
        throw new ArgumentNullException(parameter, $"Element {index} is null.");
}
