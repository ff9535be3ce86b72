using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// <c>install_contended</c>: <see cref="Installs.ContendedCallers"/> external threads call at
/// once, each <see cref="InstallsPerCaller"/> times per invocation; one operation is one call.
/// </summary>
[MemoryDiagnoser]
public class InstallContendedBenchmarks : PoolBenchmarkBase
{
    private const int InstallsPerCaller = 1_000;
    private const int OperationsPerInvoke = Installs.ContendedCallers * InstallsPerCaller;

    private ThreadGang? _workPoolCallers;
    private ThreadGang? _tplCallers;

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        _workPoolCallers = Installs.ContendedWorkPool(Pool, InstallsPerCaller);
        _tplCallers = Installs.ContendedTpl(InstallsPerCaller);
    }

    public override void GlobalCleanup()
    {
        _workPoolCallers?.Dispose();
        _tplCallers?.Dispose();
        base.GlobalCleanup();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerInvoke, Description = "Task.Run(() => {}).Wait()")]
    public void Tpl() => _tplCallers!.RunOnce();

    [Benchmark(OperationsPerInvoke = OperationsPerInvoke, Description = "pool.Install(() => {})")]
    public void WorkPool() => _workPoolCallers!.RunOnce();
}
