using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// <c>join_fib</c>: one operation is one Join (one call with n ≥ 2). TPL runs Fib(25) with
/// Parallel.Invoke, the others Fib(30); the per-Join means compare directly.
/// </summary>
[MemoryDiagnoser]
public class JoinFibBenchmarks : PoolBenchmarkBase
{
    private const int Joins = 1_346_268;
    private const int TplJoins = 121_392;

    [Benchmark(Baseline = true, OperationsPerInvoke = TplJoins, Description = "Parallel.Invoke Fib(25)")]
    public long Tpl() => Fib.Tpl(Fib.TplN);

    [Benchmark(OperationsPerInvoke = Joins, Description = "WorkPool Join Fib(30)")]
    public long WorkPool() => Fib.InstallWorkPool(Pool, Fib.N);

    [Benchmark(OperationsPerInvoke = Joins, Description = "sequential Fib(30)")]
    public long Sequential() => Fib.Sequential(Fib.N);

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        if (Fib.JoinCount(Fib.N) != Joins || Fib.JoinCount(Fib.TplN) != TplJoins)
        {
            throw new InvalidOperationException("Joins and TplJoins must match Fib.JoinCount.");
        }
    }
}
