using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WorkPool;

// The stack guard (see StackGuard): a Join, Install or Scope entered with less than
// StackGuard.Reserve of stack left throws InsufficientExecutionStackException on a worker, and the
// pool stays usable (the exception unwinds through the Joins like any other). A guest (a thread
// outside the pool, with whatever stack it has: often the main thread's) continues the call on a
// worker instead, whose stack is WorkStealingPoolOptions.StackSize: the guest waits for it, and
// only a worker that runs low throws.
internal sealed partial class Participant
{
    /// <summary>
    /// The lowest address at which this participant's thread may enter more of the pool's work:
    /// the stack's end plus <see cref="StackGuard.Reserve"/>. A worker's is set when its thread
    /// starts, a guest slot's at each guest call (the occupying thread's); 0 before that.
    /// </summary>
    private nuint _stackLimit;

    /// <summary>Stack above <see cref="_stackLimit"/> below which a Join's catch does not rethrow in place (see <see cref="HasStackToRethrow"/>).</summary>
    private const int RethrowMargin = 128 * 1024;

    /// <summary>A worker's thread starts: its limit becomes this participant's for good.</summary>
    private void TakeStackLimitOfCurrentThread(int knownSize) => _stackLimit = StackGuard.CurrentThreadLimit(_stackBase, knownSize);

    /// <summary>A guest call begins: the occupying thread's limit, kept in its context (asked when the context was created).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TakeStackLimitOf(ThreadContext outside) => _stackLimit = outside.StackLimit;

    /// <summary>Throws <see cref="InsufficientExecutionStackException"/> when <paramref name="local"/> (an address in the caller's frame) lies below this participant's limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void EnsureSufficientStack(void* local)
    {
        if ((nuint)local < _stackLimit)
        {
            ThrowInsufficientStack();
        }
    }

    /// <summary>Whether this participant is a guest whose thread has reached its limit at <paramref name="local"/>: the call then continues on a worker (see the file's comment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool GuestNearStackLimit(void* local) => IsGuest && (nuint)local < _stackLimit;

    /// <summary>
    /// The guest's own context (the occupying thread's, which is no participant): what a call it
    /// continues on a worker publishes from and waits on.
    /// </summary>
    internal ThreadContext OccupantContext
    {
        get
        {
            Debug.Assert(IsGuest && Context.Occupant is not null, "Only a guest in a call has an occupant.");
            return Context.Occupant!;
        }
    }

    /// <summary>
    /// A Join entered below the stack limit: a worker throws; a guest hands both halves to a
    /// worker as one Install (they run there as a Join, in place in this frame's copies) and waits
    /// for it, so the recursion goes on on the worker's stack.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void JoinNearTheStackLimit<TA, TB>(ref TA a, ref TB b)
        where TA : struct, IWork
        where TB : struct, IWork
    {
        if (!IsGuest)
        {
            ThrowInsufficientStack();
        }

        var halves = new JoinBody<TA, TB>(a, b);
        try
        {
            _pool.ContinueOnAWorker(ref halves, OccupantContext)?.Throw();
        }
        finally
        {
            a = halves.A;
            b = halves.B;
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInsufficientStack() =>
        throw new InsufficientExecutionStackException(
            "Insufficient stack to enter more of the pool's work on this thread: Joins, Installs or Scopes are nested too deeply. " +
            "Raise WorkStealingPoolOptions.StackSize (workers), run the call on a thread with a larger stack (guests), or cut the recursion off sooner.");
}
