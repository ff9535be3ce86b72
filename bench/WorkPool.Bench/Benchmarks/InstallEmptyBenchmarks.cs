using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>install_empty</c>: one empty Install from the benchmark's (external) thread.</summary>
[MemoryDiagnoser]
public class InstallEmptyBenchmarks : PoolBenchmarkBase
{
    [Benchmark(Baseline = true, Description = "Task.Run(() => {}).Wait()")]
    public void Tpl() => Installs.Tpl();

    [Benchmark(Description = "pool.Install(() => {})")]
    public void WorkPool() => Installs.WorkPool(Pool);
}
