namespace WorkPool;

/// <summary>
/// A scope body or a spawned job as a struct: passed to
/// <see cref="WorkStealingPool.Scope{TBody}(ref TBody, CancellationToken)"/> or
/// <see cref="Scope.Spawn{TJob}(TJob)"/>, it involves no delegate, closure or boxing, so these
/// forms are allocation-free.
/// </summary>
/// <remarks>
/// A scope job receives its <see cref="Scope"/> (to spawn more into the same scope), where a
/// pool body (<see cref="IWork"/>, for <see cref="WorkStealingPool.Spawn{TWork}(TWork)"/>,
/// <c>Install</c> and <c>Join</c>) receives a <see cref="ForkContext"/>. The two are not
/// interchangeable: each Spawn names the interface it takes in its constraint.
/// </remarks>
public interface IScopeWork
{
    /// <summary>Runs the work.</summary>
    /// <param name="scope">The scope it belongs to; spawn more jobs into it through this handle.</param>
    void Run(Scope scope);
}
