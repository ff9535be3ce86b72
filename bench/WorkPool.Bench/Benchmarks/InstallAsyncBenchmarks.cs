using BenchmarkDotNet.Attributes;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>install_async</c>: one awaited empty InstallAsync against one awaited <c>Task.Run</c> (BenchmarkDotNet awaits each call from its own thread).</summary>
[MemoryDiagnoser]
public class InstallAsyncBenchmarks : PoolBenchmarkBase
{
    [Benchmark(Baseline = true, Description = "await Task.Run(() => {})")]
    public async Task Tpl() => await Task.Run(static () => { });

    [Benchmark(Description = "await pool.InstallAsync(i, static s => ...)")]
    public async Task<long> WorkPool() => await Pool.InstallAsync(1, static s => (long)s);
}
