// <snippet:quickstart>
using WorkPool;

namespace Samples;

public static class QuickStart
{
    public static (int Answer, long Fib) Run()
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 4 });

        // Run work on the pool and wait for its result.
        int answer = pool.Install(static () => 6 * 7);

        // Recursive fork-join: static lambdas capture nothing, so nothing is allocated.
        long fib = pool.Install(25, static n => Fib(n));
        return (answer, fib);
    }

    private static long Fib(int n)
    {
        if (n < 2) return n;
        var (a, b) = ForkJoin.Join(n, static n => Fib(n - 1), static n => Fib(n - 2));
        return a + b;
    }
}
// </snippet:quickstart>
