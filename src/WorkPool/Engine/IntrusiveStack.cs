using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A lock-free stack of objects linked through a field of their own, with many pushers and one
/// consumer that only ever takes the whole stack at once (a job cache's returned list, a
/// worker's broadcast inbox).
/// </summary>
/// <remarks>
/// A Treiber stack is exposed to ABA when a consumer pops single nodes with a CAS: the head it
/// read may be popped and pushed again between its read and its CAS. Here nobody pops a single
/// node: the consumer exchanges the head with null. A pusher's CAS succeeds only if the head is
/// still the node its link points to, and a node that left the stack can come back only through
/// a push, which is itself such a CAS, so every successful push links to the true current head.
/// Fences: the pusher's CAS is a full fence, so its link store (and everything it wrote to the
/// node before) is visible to whoever sees the node; the consumer's exchange is one too.
/// </remarks>
internal static class IntrusiveStack
{
    /// <summary>Any thread: pushes <paramref name="node"/>, linking it through <paramref name="next"/> (a field of the node).</summary>
    internal static void Push<T>(ref object? head, T node, ref T? next)
        where T : class
    {
        object? current = Volatile.Read(ref head);
        while (true)
        {
            next = Unsafe.As<T?>(current);
            SchedulePoint.Hit();
            object? seen = Interlocked.CompareExchange(ref head, node, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The single consumer: takes the whole stack (newest first), or null when it is empty, without a write when it is.</summary>
    internal static T? TakeAll<T>(ref object? head)
        where T : class =>
        Volatile.Read(ref head) is null ? null : Unsafe.As<T?>(Interlocked.Exchange(ref head, null));
}
