using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>for_small</c>: <c>output[i] = Work(i)</c> over [0, 1024) from the benchmark's (external) thread; one op = one loop.</summary>
[MemoryDiagnoser]
public class ForSmallBenchmarks : PoolBenchmarkBase
{
    private readonly ulong[] _output = new ulong[WorkFunction.LoopLength];

    [Benchmark(Baseline = true, Description = "Parallel.For")]
    public void Tpl() => Loops.SmallTpl(_output);

    [Benchmark(Description = "pool.For(ref body)")]
    public void WorkPool() => Loops.SmallWorkPool(Pool, _output);

    [Benchmark(Description = "sequential")]
    public void Sequential() => WorkFunction.SequentialLoop(_output);
}
