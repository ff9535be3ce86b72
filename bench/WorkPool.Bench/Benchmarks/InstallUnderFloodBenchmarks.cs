using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// <c>install_under_flood</c>: <see cref="InstallUnderFlood.Installers"/> external threads each do
/// <see cref="InstallsPerCaller"/> Installs of a 16-spawn scope per invocation while a third
/// thread floods fire-and-forget jobs; one op = one Install. BenchmarkDotNet reports the
/// invocation's wall time per Install (two callers at once, and the drain of the flood at the
/// end), not the mean latency quick mode reports. Every flood and scope job is checked to run
/// exactly once; a violation fails the run in GlobalCleanup.
/// </summary>
[MemoryDiagnoser]
public class InstallUnderFloodBenchmarks : PoolBenchmarkBase
{
    private const int InstallsPerCaller = 50;
    private const int OperationsPerInvoke = InstallUnderFlood.Installers * InstallsPerCaller;

    private InstallUnderFlood? _workPool;
    private InstallUnderFlood? _tpl;

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        _workPool = InstallUnderFlood.ForWorkPool(Pool, InstallsPerCaller);
        _tpl = InstallUnderFlood.ForTpl(InstallsPerCaller);
    }

    public override void GlobalCleanup()
    {
        string? failure = _workPool?.FirstFailure ?? _tpl?.FirstFailure;
        _workPool?.Dispose();
        _tpl?.Dispose();
        base.GlobalCleanup();
        if (failure is not null)
        {
            throw new InvalidOperationException($"install_under_flood: a job did not run exactly once: {failure}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke, Description = "Task.Run(16 x Task.Run + WaitAll).Wait() under a ThreadPool flood")]
    public double Tpl() => _tpl!.RunRound();

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke, Description = "pool.Install(Scope of 16 x Spawn) under a pool.Spawn flood")]
    public double WorkPool() => _workPool!.RunRound();
}
