using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// <c>late_idle</c>: <c>Join(A, B)</c> of two ~2 ms leaf halves from the benchmark's (external)
/// thread while every worker is busy with a ~0.5 ms job (one Broadcast) started just before; one
/// op = one Join. BenchmarkDotNet times the whole invocation, so the WorkPool figure also holds
/// starting the busy jobs and the wait until they run and end (quick mode times the Join alone).
/// </summary>
[MemoryDiagnoser]
public class LateIdleBenchmarks : PoolBenchmarkBase
{
    private LateIdle? _lateIdle;

    private LateIdle Workload => _lateIdle ?? throw new InvalidOperationException("GlobalSetup has not run.");

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        _lateIdle = LateIdle.Calibrated(Pool);
    }

    public override void GlobalCleanup()
    {
        _lateIdle?.Dispose();
        _lateIdle = null;
        base.GlobalCleanup();
    }

    [Benchmark(Baseline = true, Description = "sequential A then B")]
    public void Sequential() => Workload.Sequential();

    [Benchmark(Description = "pool.Join(state, static A, static B), workers busy")]
    public TimeSpan WorkPool() => Workload.WorkPool();
}
