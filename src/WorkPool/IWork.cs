namespace WorkPool;

/// <summary>
/// A unit of work as a struct body. Passing a struct that implements this interface to
/// <see cref="WorkStealingPool.Install{TWork}(ref TWork)"/> or
/// <see cref="WorkStealingPool.Join{TA, TB}(ref TA, ref TB)"/> lets the JIT specialize and
/// inline <see cref="Run"/>, and involves no delegate, closure or boxing: these forms are
/// allocation-free.
/// </summary>
/// <remarks>
/// A body reports results by writing its own fields: the caller sees every field
/// <see cref="Run"/> assigned, whichever thread ran it.
/// </remarks>
public interface IWork
{
    /// <summary>Runs the work. Exceptions propagate to the thread that waits for it.</summary>
    /// <param name="context">The worker running the body; fork more work through it
    /// (<see cref="ForkContext.Join{TA, TB}"/>) to skip a thread-local lookup per fork.</param>
    void Run(ForkContext context);
}

/// <summary>
/// A unit of work as a struct body that returns a result; see <see cref="IWork"/>.
/// Used by <see cref="WorkStealingPool.Install{TWork, TResult}(TWork)"/> and
/// <see cref="WorkStealingPool.Join{TA, TB, TResultA, TResultB}(TA, TB)"/>.
/// </summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
public interface IWork<out TResult>
{
    /// <summary>Runs the work and returns its result. Exceptions propagate to the waiting thread.</summary>
    /// <param name="context">The worker running the body; see <see cref="IWork.Run"/>.</param>
    /// <returns>The result of the work.</returns>
    TResult Run(ForkContext context);
}
