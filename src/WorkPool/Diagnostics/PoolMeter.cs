using System.Diagnostics.Metrics;

namespace WorkPool.Diagnostics;

/// <summary>
/// A pool's <see cref="Meter"/> (<see cref="WorkPoolMetrics"/>): observable instruments whose
/// callbacks read the statistics registry when a listener collects, and nothing else. Created
/// with the pool, disposed when the pool is.
/// </summary>
/// <remarks>
/// A collection reads every slot once per instrument and allocates (the measurement's tag
/// array); that happens on the collecting thread, at the listener's pace, never on a worker.
/// </remarks>
internal sealed class PoolMeter : IDisposable
{
    private readonly Meter _meter;
    private readonly WorkStealingPool _pool;
    private readonly KeyValuePair<string, object?>[] _tags;

    internal PoolMeter(WorkStealingPool pool)
    {
        _pool = pool;
        _tags = [new(WorkPoolMetrics.PoolTag, pool.Name)];
        _meter = new Meter(WorkPoolMetrics.MeterName);
        Counter(WorkPoolMetrics.JobsExecuted, "{job}", "Jobs executed by the workers.", static t => t.JobsRun);
        Counter(WorkPoolMetrics.JobsSpawned, "{job}", "Jobs spawned on workers and pushed onto their deques.", static t => t.JobsSpawned);
        Counter(WorkPoolMetrics.JobsStolen, "{job}", "Jobs stolen from another worker's deque.", static t => t.JobsStolen);
        Counter(WorkPoolMetrics.StealsFailed, "{attempt}", "Steal attempts that lost the race for a job.", static t => t.FailedSteals);
        Counter(WorkPoolMetrics.JobsInjected, "{job}", "Jobs the workers took from the injector ring.", static t => t.InjectorJobs);
        Counter(WorkPoolMetrics.Installs, "{job}", "Jobs outside threads published into the injector ring.", static t => t.Installs);
        Counter(WorkPoolMetrics.JoinsInline, "{join}", "Joins whose second half ran inline.", static t => t.JoinsInline);
        Counter(WorkPoolMetrics.JoinsPromoted, "{join}", "Join halves promoted to a deque for idle workers.", static t => t.JoinsPromoted);
        Counter(WorkPoolMetrics.JoinHalvesTaken, "{join}", "Promoted Join halves that ran as jobs.", static t => t.JoinHalvesTaken);
        Counter(WorkPoolMetrics.Sleeps, "{sleep}", "Times a worker parked.", static t => t.Sleeps);
        Counter(WorkPoolMetrics.Wakeups, "{wakeup}", "Times a producer woke a sleeping worker.", static t => t.Wakeups);
        Counter(WorkPoolMetrics.AllocatedBytes, "By", "Bytes allocated by the worker threads, sampled when they go idle.", static t => t.AllocatedBytes);
        _meter.CreateObservableCounter(
            WorkPoolMetrics.InjectorBlockedTime,
            () => new Measurement<double>(_pool.StatisticsRegistry.Total().RingBlockedTime.TotalSeconds, _tags),
            "s",
            "Time outside threads waited for a slot in a full injector ring.");
        Gauge(WorkPoolMetrics.InjectorDepth, "{job}", "Jobs waiting in the injector ring.", static p => p.Injector.Count + p.InstallRing.Count);
        Gauge(WorkPoolMetrics.WorkersBusy, "{worker}", "Workers running jobs (neither searching nor asleep).", static p => Math.Max(0, p.ThreadCount - p.Sleepers.SearchingCount - p.Sleepers.SleepingCount));
        Gauge(WorkPoolMetrics.DequeMaxDepth, "{job}", "The most jobs any worker's deque has held at once.", static p => p.StatisticsRegistry.Total().MaxDequeDepth);
    }

    public void Dispose() => _meter.Dispose();

    private void Counter(string name, string unit, string description, Func<ThreadStatistics, long> read) =>
        _meter.CreateObservableCounter(name, () => new Measurement<long>(read(_pool.StatisticsRegistry.Total()), _tags), unit, description);

    private void Gauge(string name, string unit, string description, Func<WorkStealingPool, long> read) =>
        _meter.CreateObservableGauge(name, () => new Measurement<long>(read(_pool), _tags), unit, description);
}
