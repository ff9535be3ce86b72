using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The one job a caller-first loop shares: the participants that run it claim pieces from the
/// cursor. With more than one helper wanted it fans out through Join, so idle workers can take
/// the other halves (see <see cref="Participant.Join{TA, TB}"/>).
/// </summary>
/// <remarks>
/// The job lives in the caller's preallocated slot on the heap and points at the Loop on the
/// caller's stack. The caller pushes it onto its own deque and, when the cursor is exhausted,
/// either pops it back (nobody took it: it never ran) or waits until whoever took it is done, so
/// the Loop outlives every run of the job.
/// </remarks>
internal unsafe struct LoopHelper<TBody, TResult> : IWork
    where TBody : struct, ILoopBody<TResult>
{
    private readonly void* _loop;
    private readonly int _width;

    // When the caller shared this job while a participant searched (a Stopwatch stamp), else 0.
    private readonly long _sharedAt;

    public TResult Result;

    public LoopHelper(void* loop, int width, long sharedAt = 0)
    {
        Debug.Assert(width >= 1 && sharedAt >= 0);
        _loop = loop;
        _width = width;
        _sharedAt = sharedAt;
        Result = default!;
    }

    public void Run(ForkContext context)
    {
        // The caller never runs its own helper (it takes it back unrun), so this is whoever took
        // it. Only a taker that was not woken since the share was searching then: its start
        // measures a steal; a woken one's measures a wake-up, which the sleep already recorded.
        if (_sharedAt != 0 && Volatile.Read(ref context.Participant.WokenAt) < _sharedAt)
        {
            SharingClock.RecordStealHandOff(Stopwatch.GetTimestamp() - _sharedAt);
        }

        ref Loop<TBody, TResult> loop = ref Unsafe.AsRef<Loop<TBody, TResult>>(_loop);
        if (_width > 1)
        {
            var a = new LoopHelper<TBody, TResult>(_loop, _width - (_width / 2));
            var b = new LoopHelper<TBody, TResult>(_loop, _width / 2);
            context.Join(ref a, ref b);
            Result = loop.Body.Combine(a.Result, b.Result);
            return;
        }

        Result = loop.DrainShared(loop.Body.Identity());
    }
}
