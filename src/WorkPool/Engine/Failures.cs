using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The AggregateExceptions the pool makes (docs/exceptions.md): every exception of the parts
/// that failed, flat. An AggregateException that the pool itself made for a nested operation
/// (a Join inside a Join's half, say) contributes its inner exceptions instead of itself, so a
/// recursion that fails at every level yields one flat list rather than a chain as deep as the
/// recursion; an AggregateException thrown by user code is kept as it is.
/// </summary>
internal static class Failures
{
    // The pool's own aggregates, told apart from the user's without a visible mark.
    private static readonly ConditionalWeakTable<AggregateException, object> s_made = [];

    /// <summary>Both halves of a Join failed: one aggregate of both, <paramref name="first"/>'s first.</summary>
    internal static AggregateException Both(Exception first, Exception second)
    {
        var all = new List<Exception>();
        Add(all, first);
        Add(all, second);
        return Made(all);
    }

    /// <summary>Every exception in <paramref name="errors"/>, flat, in their order.</summary>
    internal static AggregateException All(IEnumerable<Exception> errors)
    {
        var all = new List<Exception>();
        foreach (Exception error in errors)
        {
            Add(all, error);
        }

        return Made(all);
    }

    /// <summary>
    /// What an operation of several parts (a loop, a scope, a broadcast) throws for the
    /// exceptions its parts threw: an aggregate of all of them, except that an
    /// <see cref="OperationCanceledException"/> for the operation's own canceled
    /// <paramref name="token"/> is cancellation, not a failure: when nothing else failed the
    /// operation throws <see cref="OperationCanceledException"/> itself.
    /// </summary>
    internal static Exception OfParts(IEnumerable<Exception> errors, CancellationToken token)
    {
        var all = new List<Exception>();
        foreach (Exception error in errors)
        {
            Add(all, error);
        }

        if (token.IsCancellationRequested)
        {
            all.RemoveAll(e => e is OperationCanceledException canceled && canceled.CancellationToken == token);
            if (all.Count == 0)
            {
                return new OperationCanceledException(token);
            }
        }

        return Made(all);
    }

    /// <summary><see cref="OfParts(IEnumerable{Exception}, CancellationToken)"/> for what propagated out of a loop (one exception, or the pool's aggregate of several).</summary>
    internal static Exception OfParts(Exception error, CancellationToken token) => OfParts([error], token);

    private static void Add(List<Exception> all, Exception error)
    {
        if (error is AggregateException aggregate && s_made.TryGetValue(aggregate, out _))
        {
            all.AddRange(aggregate.InnerExceptions);
        }
        else
        {
            all.Add(error);
        }
    }

    private static AggregateException Made(List<Exception> all)
    {
        var aggregate = new AggregateException(all);
        Mark(aggregate);
        return aggregate;
    }

    /// <summary>
    /// Records <paramref name="aggregate"/> as the pool's. The table's writers take a
    /// <see cref="Monitor"/>, whose contended Enter throws <see cref="ThreadInterruptedException"/>
    /// on a thread with an interrupt pending (the waiting side of a failed Join, say): the
    /// interrupt is caught, the mark retried (the interrupt is consumed, so the retry blocks
    /// normally) and raised again afterwards, pending for the user's code as before.
    /// </summary>
    private static void Mark(AggregateException aggregate)
    {
        bool interrupted = false;
        while (true)
        {
            try
            {
                s_made.AddOrUpdate(aggregate, s_made);
                break;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }

        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }
}
