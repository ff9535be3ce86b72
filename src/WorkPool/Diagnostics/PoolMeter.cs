using System.Diagnostics.Metrics;

namespace WorkPool.Diagnostics;

/// <summary>
/// A pool's <see cref="Meter"/> (<see cref="WorkPoolMetrics"/>): observable instruments whose
/// callbacks read the statistics registry when a listener collects, and nothing else. Created
/// with the pool, through the options' <see cref="IMeterFactory"/> when there is one (the
/// factory owns that meter: the pool's instruments then fall silent when it is disposed), else
/// by the pool itself, which disposes it with the pool.
/// </summary>
/// <remarks>
/// A collection reads every slot once per instrument and allocates (the measurement array); that
/// happens on the collecting thread, at the listener's pace, never on a worker. The pool's name is
/// a tag of the meter, not of each measurement: listeners such as <c>dotnet-counters</c> report a
/// meter's tags with every measurement, so a tag in both places appeared twice.
/// </remarks>
internal sealed class PoolMeter : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly WorkStealingPool _pool;
    private volatile bool _disposed;

    internal PoolMeter(WorkStealingPool pool, IMeterFactory? factory)
    {
        _pool = pool;
        var options = new MeterOptions(WorkPoolMetrics.MeterName)
        {
            Version = WorkPoolMetrics.MeterVersion,
            // A factory that caches meters by name, version and tags gives each pool name its own.
            Tags = [new(WorkPoolMetrics.PoolTag, pool.Name)],
        };
        _ownsMeter = factory is null;
        _meter = factory is null ? new Meter(options) : factory.Create(options);
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
            () => Measure(static p => p.StatisticsRegistry.Total().RingBlockedTime.TotalSeconds),
            "s",
            "Time outside threads waited for a slot in a full injector ring.");
        Gauge(WorkPoolMetrics.InjectorDepth, "{job}", "Jobs waiting in the injector ring.", static p => p.Injector.Count + p.InstallRing.Count);
        Gauge(WorkPoolMetrics.WorkersBusy, "{worker}", "Workers running jobs (neither searching nor asleep).", static p => Math.Max(0, p.ThreadCount - p.Sleepers.SearchingCount - p.Sleepers.SleepingCount));
        Gauge(WorkPoolMetrics.DequeMaxDepth, "{job}", "The most jobs any worker's deque has held at once.", static p => p.StatisticsRegistry.Total().MaxDequeDepth);
    }

    public void Dispose()
    {
        _disposed = true;
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void Counter(string name, string unit, string description, Func<ThreadStatistics, long> read) =>
        _meter.CreateObservableCounter(name, () => Measure(p => read(p.StatisticsRegistry.Total())), unit, description);

    private void Gauge(string name, string unit, string description, Func<WorkStealingPool, long> read) =>
        _meter.CreateObservableGauge(name, () => Measure(read), unit, description);

    /// <summary>One measurement (the pool's tag is the meter's), or none once the pool is disposed (a factory's meter outlives it).</summary>
    private IEnumerable<Measurement<T>> Measure<T>(Func<WorkStealingPool, T> read)
        where T : struct => _disposed ? [] : [new Measurement<T>(read(_pool))];
}
