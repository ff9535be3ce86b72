using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>for_coarse</c>: For(0, 256) whose body folds 200 Work calls (~20 µs) into <c>output[i]</c>, from the benchmark's (external) thread; one op = one loop.</summary>
[MemoryDiagnoser]
public class ForCoarseBenchmarks : PoolBenchmarkBase
{
    private readonly ulong[] _output = new ulong[CoarseLoop.Length];

    [Benchmark(Baseline = true, Description = "Parallel.For")]
    public void Tpl() => CoarseLoop.Tpl(_output);

    [Benchmark(Description = "pool.For(ref body)")]
    public void WorkPool() => CoarseLoop.WorkPool(Pool, _output);

    [Benchmark(Description = "sequential")]
    public void Sequential() => CoarseLoop.Sequential(_output);
}
