namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>join_fib</c>: Fibonacci where every call with n ≥ 2 forks its two halves, with no cut-off,
/// so the time is dominated by the cost of one fork.
/// </summary>
internal static class Fib
{
    /// <summary>The n of the WorkPool and sequential runs.</summary>
    internal const int N = 30;

    /// <summary>The n of the TPL run (Parallel.Invoke is too slow for Fib(30); the per-Join figure compares).</summary>
    internal const int TplN = 25;

    /// <summary>Number of calls with n ≥ 2 in the call tree of Fib(<paramref name="n"/>), i.e. of Joins: F(n+1) − 1.</summary>
    internal static long JoinCount(int n) => Sequential(n + 1) - 1;

    /// <summary>The plain recursive Fib.</summary>
    internal static long Sequential(int n) => n < 2 ? n : Sequential(n - 1) + Sequential(n - 2);

    /// <summary>Fib(<paramref name="n"/>) with WorkPool Joins, installed into <paramref name="pool"/> from an outside thread.</summary>
    internal static long InstallWorkPool(WorkStealingPool pool, int n)
    {
        var root = new Body(n);
        pool.Install(ref root);
        return root.Result;
    }

    /// <summary>
    /// Fib with one WorkPool Join per call with n ≥ 2 (struct bodies: no delegate, no
    /// allocation; forked through the worker's context: no thread-local lookup). Runs on a worker.
    /// </summary>
    internal static long WorkPool(ForkContext context, int n)
    {
        if (n < 2)
        {
            return n;
        }

        var a = new Body(n - 1);
        var b = new Body(n - 2);
        context.Join(ref a, ref b);
        return a.Result + b.Result;
    }

    /// <summary>Fib with one <see cref="Parallel.Invoke(Action[])"/> per call with n ≥ 2.</summary>
    internal static long Tpl(int n)
    {
        if (n < 2)
        {
            return n;
        }

        long a = 0;
        long b = 0;
        Parallel.Invoke(() => a = Tpl(n - 1), () => b = Tpl(n - 2));
        return a + b;
    }

    /// <summary>Runs <see cref="WorkPool(ForkContext, int)"/>; used for the two halves of a Join and for the root Install.</summary>
    internal struct Body(int n) : IWork
    {
        public long Result;

        public void Run(ForkContext context) => Result = WorkPool(context, n);
    }
}
