using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

internal sealed partial class Worker
{
    // Owner-only scope states, one per scope nesting depth (see ScopeState), and the depth.
    private ScopeState[] _scopes = [];
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
        if (depth == _scopes.Length)
        {
            GrowScopes();
        }

        ScopeState scope = _scopes[depth];
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowScopes()
    {
        ScopeState[] scopes = new ScopeState[Math.Max(4, _scopes.Length * 2)];
        _scopes.CopyTo(scopes, 0);
        for (int i = _scopes.Length; i < scopes.Length; i++)
        {
            scopes[i] = new ScopeState(Context);
        }

        _scopes = scopes;
    }
}
