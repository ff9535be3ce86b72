using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The one job a caller-first loop injects: the workers that run it claim pieces from the
/// cursor. With more than one helper wanted it fans out through Join, so idle workers can take
/// the other halves (see <see cref="Worker.Join{TA, TB}"/>).
/// </summary>
/// <remarks>
/// <para>Revocable, so that a caller never waits for a worker that has not even started: the
/// job lives in the caller's preallocated slot on the heap, and its entry state says whether it
/// may touch the Loop on the caller's stack. <c>Armed</c> (published) moves exactly once, by a
/// CAS, either to <c>Entered</c> (the executing worker, before it reads the Loop) or to
/// <c>Revoked</c> (the caller, once it has no piece left to claim or the loop stopped). Whoever
/// wins decides: after Entered, the caller waits for the job to be done, as for a Join's stolen
/// half; after Revoked, the caller returns at once, and the worker that eventually runs the job
/// (it is still in the ring) returns without dereferencing the stale pointer. The slot is reused
/// only once that run has completed it (the caller checks <see cref="AwaitedJob.IsDone"/>, an
/// acquire read, before arming it again; until then its loops run alone).</para>
/// <para>Only the root job takes part in the protocol; the halves it forks are stack copies made
/// after it entered.</para>
/// </remarks>
internal unsafe struct LoopHelper<TBody, TResult> : IWork
    where TBody : struct, ILoopBody<TResult>
{
    private const int Armed = 0;
    private const int Entered = 1;
    private const int Revoked = 2;

    private readonly void* _loop;
    private readonly int _width;
    private int _entry;

    public TResult Result;

    public LoopHelper(void* loop, int width)
        : this(loop, width, Armed)
    {
    }

    private LoopHelper(void* loop, int width, int entry)
    {
        Debug.Assert(width >= 1);
        _loop = loop;
        _width = width;
        _entry = entry;
        Result = default!;
    }

    /// <summary>Caller: withdraws the job if no worker has entered it yet. True when withdrawn (do not wait for it).</summary>
    public bool TryRevoke() => Interlocked.CompareExchange(ref _entry, Revoked, Armed) == Armed;

    public void Run(ForkContext context)
    {
        // Full fence: entering is ordered before every read of the Loop, and the caller's revoke
        // and this entry cannot both succeed.
        if (_entry != Entered && Interlocked.CompareExchange(ref _entry, Entered, Armed) != Armed)
        {
            Debug.Assert(_entry == Revoked, "Only the caller moves an armed helper elsewhere.");
            return;
        }

        ref Loop<TBody, TResult> loop = ref Unsafe.AsRef<Loop<TBody, TResult>>(_loop);
        if (_width > 1)
        {
            var a = new LoopHelper<TBody, TResult>(_loop, _width - (_width / 2), Entered);
            var b = new LoopHelper<TBody, TResult>(_loop, _width / 2, Entered);
            context.Join(ref a, ref b);
            Result = loop.Body.Combine(a.Result, b.Result);
            return;
        }

        Result = loop.DrainShared(loop.Body.Identity());
    }
}
