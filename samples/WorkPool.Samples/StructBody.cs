using WorkPool;

namespace Samples;

// <snippet:struct-body>
public struct FibWork(int n) : IWork
{
    public long Result;

    public void Run(ForkContext context)
    {
        if (n < 2) { Result = n; return; }
        var a = new FibWork(n - 1);
        var b = new FibWork(n - 2);
        context.Join(ref a, ref b);   // b may run on an idle worker, in place
        Result = a.Result + b.Result;
    }
}
// </snippet:struct-body>

public static class StructBody
{
    public static long Run(WorkStealingPool pool)
    {
        // <snippet:struct-body-call>
        var fib = new FibWork(25);
        pool.Install(ref fib);          // fib.Result == 75025
        // </snippet:struct-body-call>
        return fib.Result;
    }
}
