using BenchmarkDotNet.Attributes;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// Owns the WorkStealingPool of a BenchmarkDotNet suite: one worker per processor (the quick
/// mode's default), created once per benchmark process and disposed at its end.
/// </summary>
public abstract class PoolBenchmarkBase
{
    private WorkStealingPool? _pool;

    internal WorkStealingPool Pool => _pool ?? throw new InvalidOperationException("GlobalSetup has not run.");

    [GlobalSetup]
    public virtual void GlobalSetup() => _pool = new WorkStealingPool();

    [GlobalCleanup]
    public virtual void GlobalCleanup()
    {
        _pool?.Dispose();
        _pool = null;
    }
}
