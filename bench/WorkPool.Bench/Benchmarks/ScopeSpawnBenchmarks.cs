using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>scope_spawn</c>: one scope of 1,000 spawned jobs from the benchmark's (external) thread.</summary>
[MemoryDiagnoser]
public class ScopeSpawnBenchmarks : PoolBenchmarkBase
{
    private readonly Task[] _tasks = new Task[Scopes.JobsPerScope];

    [Benchmark(Baseline = true, OperationsPerInvoke = Scopes.JobsPerScope, Description = "1000 × Task.Run + Task.WaitAll")]
    public long Tpl() => Scopes.Tpl(_tasks);

    [Benchmark(OperationsPerInvoke = Scopes.JobsPerScope, Description = "pool.Scope(ref body) with 1000 × scope.Spawn(struct job)")]
    public long WorkPool() => Scopes.WorkPool(Pool);
}
