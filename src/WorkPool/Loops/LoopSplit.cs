using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>One range [from, to) of a loop run as a tree: split in halves joined in parallel, down to pieces.</summary>
internal unsafe struct LoopSplit<TBody, TResult> : IWork
    where TBody : struct, ILoopBody<TResult>
{
    // Unmanaged pointer to the Loop on the starting thread's stack (see Loop.cs).
    private readonly void* _loop;
    private readonly long _from;
    private readonly long _to;

    public TResult Result;

    public LoopSplit(void* loop, long from, long to)
    {
        Debug.Assert(from < to, "Ranges are never empty.");
        _loop = loop;
        _from = from;
        _to = to;
        Result = default!;
    }

    public void Run(ForkContext context)
    {
        ref Loop<TBody, TResult> loop = ref Unsafe.AsRef<Loop<TBody, TResult>>(_loop);
        if (loop.ShouldSkip(_from))
        {
            Result = loop.Body.Identity();
            return;
        }

        // The length as ulong: to − from overflows long for ranges wider than long.MaxValue.
        ulong half = unchecked((ulong)(_to - _from)) / 2;
        if (half >= loop.Grain)
        {
            long middle = unchecked(_from + (long)half);
            var left = new LoopSplit<TBody, TResult>(_loop, _from, middle);
            var right = new LoopSplit<TBody, TResult>(_loop, middle, _to);
            context.Join(ref left, ref right);
            Result = loop.Body.Combine(left.Result, right.Result);
            return;
        }

        Result = loop.RunPiece(loop.Body.Identity(), _from, _to);
    }
}
