using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WorkPool;

// The stack guard (see StackGuard): a Join, Install or Scope entered with less than
// StackGuard.Reserve of stack left throws InsufficientExecutionStackException, and the pool
// stays usable (the exception unwinds through the Joins like any other).
internal sealed partial class Worker
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

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInsufficientStack() =>
        throw new InsufficientExecutionStackException(
            "Insufficient stack to enter more of the pool's work on this thread: Joins, Installs or Scopes are nested too deeply. " +
            "Raise WorkStealingPoolOptions.StackSize (workers), run the call on a thread with a larger stack (guests), or cut the recursion off sooner.");
}
