using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>for_nested</c>: For(0, 64) of For(0, 1024) writing <c>output[i * 1024 + j] = Work(i * 1024 + j)</c> from the benchmark's (external) thread; one op = the whole nest.</summary>
[MemoryDiagnoser]
public class ForNestedBenchmarks : PoolBenchmarkBase
{
    private readonly ulong[] _output = new ulong[NestedLoop.OutputLength];

    [Benchmark(Baseline = true, Description = "nested Parallel.For")]
    public void Tpl() => NestedLoop.Tpl(_output);

    [Benchmark(Description = "nested pool.For(ref body)")]
    public void WorkPool() => NestedLoop.WorkPool(Pool, _output);

    [Benchmark(Description = "sequential")]
    public void Sequential() => NestedLoop.Sequential(_output);
}
