using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>for_tiny</c>: <c>output[i] = i</c> over [0, 16) from the benchmark's (external) thread; one op = one loop (dispatch latency).</summary>
[MemoryDiagnoser]
public class ForTinyBenchmarks : PoolBenchmarkBase
{
    private readonly int[] _output = new int[Loops.TinyLength];

    [Benchmark(Baseline = true, Description = "Parallel.For")]
    public void Tpl() => Loops.TinyTpl(_output);

    [Benchmark(Description = "pool.For(ref body)")]
    public void WorkPool() => Loops.TinyWorkPool(Pool, _output);
}
