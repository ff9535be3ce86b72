using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

internal sealed partial class Participant
{
    // Owner-only scope states, one per scope nesting depth (see ScopeState), and the depth.
    private DepthStack<ScopeState, ThreadContext> _scopes;

    /// <summary>Scope states each participant has from the start: scopes nested this deep on one participant allocate nothing, even the first time.</summary>
    internal const int PreallocatedScopeDepth = 4;

    /// <summary>Broadcast requests each participant has from the start (broadcasts nested this deep on one participant).</summary>
    internal const int PreallocatedBroadcastDepth = 2;
    private int _scopeDepth;

    /// <summary>
    /// Runs a scope on this worker: its body, then this worker helps with the pool's work until
    /// every job spawned into the scope has finished; then rethrows what the scope collected.
    /// </summary>
    internal void RunScope<TBody>(ref TBody body, CancellationToken cancellationToken)
        where TBody : struct, IScopeWork
    {
        Debug.Assert(ThreadContext.CurrentOrNull == Context, "A scope runs on the calling worker.");
        int depth = _scopeDepth;
        ScopeState scope = _scopes.At(Context, depth);
        uint generation = scope.Begin(_pool, cancellationToken);
        _scopeDepth = depth + 1;
        try
        {
            try
            {
                body.Run(new Scope(scope, generation));
            }
#pragma warning disable CA1031 // Collected with the jobs' exceptions; rethrown by End.
            catch (Exception e)
#pragma warning restore CA1031
            {
                scope.RecordError(e);
            }

            // The body's own count: jobs it spawned may still run, and spawn more.
            scope.EndBody();
            if (!scope.IsDone)
            {
                // Jobs still write into the state: not even an interrupt may end this wait, or
                // the next scope at this depth would reuse the state under them.
                var done = new ScopeDone(scope);
                WaitUninterruptibly(ref done);
            }
        }
        finally
        {
            _scopeDepth = depth;
        }

        scope.End();
    }
}
