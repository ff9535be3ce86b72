namespace WorkPool.Diagnostics;

/// <summary>
/// A measured step as a struct body, for
/// <see cref="AllocationStatistics.Measure{TAction}(string, ref TAction)"/>: the JIT specializes
/// the call for each struct type, so no delegate, closure or boxing is involved.
/// </summary>
/// <remarks>
/// This is not <see cref="IWork"/>: <see cref="IWork.Run"/> takes a <see cref="ForkContext"/>,
/// which only the pool can create. To measure a struct body that runs on the pool, implement
/// this interface and call <c>pool.Install(ref work)</c> from <see cref="Invoke"/>.
/// </remarks>
public interface IMeasuredAction
{
    /// <summary>Runs the measured step. A step can report results by writing its own fields.</summary>
    void Invoke();
}
