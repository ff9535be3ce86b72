using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

// Parallel loops as recursive binary splitting through ForkContext.Join. A Join nobody steals
// costs a few nanoseconds, and the half it records is offered to a worker only when one is idle,
// oldest (biggest) first: so splitting all the way down to the minimum chunk costs little, and
// idle workers take the largest remaining ranges. No tuning, no shared counters on the fast path.
//
// Every form is turned into one range body (TRange : IForRangeBody), which lives, together with
// the loop's settings, in one LoopState on the stack of the thread that started the loop. The
// split halves carry only a pointer to it and their bounds, so they stay 24 bytes whatever the
// body, and every leaf invokes the same body instance, as the IForBody docs promise.

/// <summary>The shared state of one parallel loop; lives on the stack of the thread that started it.</summary>
internal struct LoopState<TRange>(TRange body, long minChunkLength, CancellationToken cancellationToken)
    where TRange : struct, IForRangeBody
{
    public TRange Body = body;
    public readonly long MinChunkLength = minChunkLength;
    public readonly CancellationToken CancellationToken = cancellationToken;

    // Set once a leaf threw or saw cancellation: leaves that have not started yet skip their work.
    // Written rarely, read once per leaf; a stale read only costs one more leaf.
    private volatile bool _stopped;

    public readonly bool ShouldSkip => _stopped || CancellationToken.IsCancellationRequested;

    public void Stop() => _stopped = true;
}

/// <summary>One range [from, to) of a loop: split in halves joined in parallel, down to leaves.</summary>
internal readonly unsafe struct RangeSplit<TRange> : IWork
    where TRange : struct, IForRangeBody
{
    // Unmanaged pointer to a LoopState<TRange> on the starting thread's stack: stack memory does
    // not move, and that thread stays in the loop (running or waiting) until every range is done.
    private readonly void* _loop;
    private readonly long _from;
    private readonly long _to;

    public RangeSplit(void* loop, long from, long to)
    {
        Debug.Assert(from < to, "Ranges are never empty.");
        _loop = loop;
        _from = from;
        _to = to;
    }

    public void Run(ForkContext context)
    {
        ref LoopState<TRange> loop = ref Unsafe.AsRef<LoopState<TRange>>(_loop);
        // The length as ulong: to − from overflows long for ranges wider than long.MaxValue.
        ulong half = unchecked((ulong)(_to - _from)) / 2;
        if (half >= (ulong)loop.MinChunkLength && !loop.ShouldSkip)
        {
            long middle = unchecked(_from + (long)half);
            var left = new RangeSplit<TRange>(_loop, _from, middle);
            var right = new RangeSplit<TRange>(_loop, middle, _to);
            context.Join(ref left, ref right);
            return;
        }

        if (loop.ShouldSkip)
        {
            return;
        }

        try
        {
            loop.Body.Invoke(_from, _to);
        }
        catch
        {
            // Let the other leaves skip; the exception itself travels up through the Joins.
            loop.Stop();
            throw;
        }
    }
}

/// <summary>Range body over an <see cref="IForBody"/>.</summary>
internal struct IndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, IForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        Debug.Assert(fromInclusive >= int.MinValue && toExclusive <= (long)int.MaxValue + 1, "An int loop's ranges fit in int.");
        // long counter: an int one would overflow when toExclusive is int.MaxValue.
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke((int)i);
        }
    }
}

/// <summary>Range body over an <see cref="ILongForBody"/>.</summary>
internal struct LongIndexRange<TBody>(TBody body) : IForRangeBody
    where TBody : struct, ILongForBody
{
    public TBody Body = body;

    public void Invoke(long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            Body.Invoke(i);
        }
    }
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="int"/>.</summary>
internal readonly struct ActionForBody(Action<int> body) : IForBody
{
    public void Invoke(int index) => body(index);
}

/// <summary>Index body for <see cref="Action{T}"/> of <see cref="long"/>.</summary>
internal readonly struct LongActionForBody(Action<long> body) : ILongForBody
{
    public void Invoke(long index) => body(index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="int"/> with its state (no closure needed).</summary>
internal readonly struct StateActionForBody<TState>(TState state, Action<TState, int> body) : IForBody
{
    public void Invoke(int index) => body(state, index);
}

/// <summary>Index body for <see cref="Action{TState, T}"/> of <see cref="long"/> with its state (no closure needed).</summary>
internal readonly struct LongStateActionForBody<TState>(TState state, Action<TState, long> body) : ILongForBody
{
    public void Invoke(long index) => body(state, index);
}
