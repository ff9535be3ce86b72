namespace WorkPool;

/// <summary>
/// A scope body or a spawned job as a struct: passed to
/// <see cref="WorkStealingPool.Scope{TBody}(ref TBody, CancellationToken)"/> or
/// <see cref="Scope.Spawn{TJob}(TJob)"/>, it involves no delegate, closure or boxing, so these
/// forms are allocation-free.
/// </summary>
public interface IScopeWork
{
    /// <summary>Runs the work.</summary>
    /// <param name="scope">The scope it belongs to; spawn more jobs into it through this handle.</param>
    void Run(Scope scope);
}
