using System.Runtime.CompilerServices;

namespace WorkPool;

// N-way Invoke (WorkStealingPool.Invoke.cs) is a balanced tree of Joins over the indices of its
// parts, so it shares, steals and reports exceptions exactly as nested Joins do. The parts lie in
// the caller's span (its params array on the stack, or an array it passed), pinned by the caller
// for the whole call, so the bodies carry a plain pointer to the first part: a thief that runs a
// half reads the parts through it while the caller waits for that half.

/// <summary>The parts of an Invoke, by index.</summary>
internal interface IInvokeParts
{
    /// <summary>Runs part <paramref name="index"/>.</summary>
    void Run(int index, ForkContext context);
}

/// <summary>Parts that are <see cref="Action"/>s.</summary>
internal readonly unsafe struct ActionParts(void* first) : IInvokeParts
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run(int index, ForkContext context) => Unsafe.Add(ref Unsafe.AsRef<Action>(first), index)();
}

/// <summary>Parts that are <see cref="Action{TState}"/>s, each given the same state.</summary>
internal readonly unsafe struct StateActionParts<TState>(TState state, void* first) : IInvokeParts
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run(int index, ForkContext context) => Unsafe.Add(ref Unsafe.AsRef<Action<TState>>(first), index)(state);
}

/// <summary>Parts that are struct bodies, each run in place (so its final state stays in the caller's span).</summary>
internal readonly unsafe struct WorkParts<TWork>(void* first) : IInvokeParts
    where TWork : struct, IWork
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run(int index, ForkContext context) => Unsafe.Add(ref Unsafe.AsRef<TWork>(first), index).Run(context);
}

/// <summary>Parts [<c>from</c>, <c>to</c>): one part runs here; more split in two halves through Join.</summary>
internal readonly struct InvokeSplit<TParts>(TParts parts, int from, int to) : IWork
    where TParts : struct, IInvokeParts
{
    public void Run(ForkContext context)
    {
        if (to - from == 1)
        {
            parts.Run(from, context);
            return;
        }

        int middle = from + ((to - from + 1) / 2);
        var first = new InvokeSplit<TParts>(parts, from, middle);
        var second = new InvokeSplit<TParts>(parts, middle, to);
        context.Join(ref first, ref second);
    }
}
