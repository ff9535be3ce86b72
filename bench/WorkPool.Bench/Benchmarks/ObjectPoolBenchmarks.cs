using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.ObjectPool;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>object_pool</c>: every worker at once takes and returns pooled objects; one operation is one Get + Return.</summary>
[MemoryDiagnoser]
public class ObjectPoolBenchmarks : PoolBenchmarkBase
{
    private const int PerWorker = 10_000;
    private ObjectPool<ObjectPools.Scratch>? _workPool;
    private ObjectPool<ObjectPools.Scratch>? _default;

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        _workPool = ObjectPools.WorkPool(Pool);
        _default = ObjectPools.Default();
    }

    [Benchmark(Baseline = true, Description = "DefaultObjectPool<T>: Get + Return on every worker", OperationsPerInvoke = PerWorker)]
    public void Default() => ObjectPools.Round(Pool, _default!, PerWorker);

    [Benchmark(Description = "pool.CreateObjectPool(policy): Get + Return on every worker", OperationsPerInvoke = PerWorker)]
    public void WorkPool() => ObjectPools.Round(Pool, _workPool!, PerWorker);
}
