namespace WorkPool.Diagnostics;

/// <summary>
/// Names of the <see cref="System.Diagnostics.Metrics.Meter"/> that every pool publishes and of
/// its instruments. All instruments are observable: they read the pool's statistics registry
/// only when a listener collects (<c>dotnet-counters</c>, OpenTelemetry, a
/// <see cref="System.Diagnostics.Metrics.MeterListener"/>), so they cost the pool nothing
/// between collections. The meter carries the attribute (a meter tag, which listeners report with
/// each of its measurements; it is not repeated on the measurements)
/// <see cref="PoolTag"/> = the pool's <see cref="WorkStealingPool.Name"/>, named after
/// OpenTelemetry's conventions (a namespaced, dotted, lower-case attribute). The meter's version is
/// <see cref="MeterVersion"/>. The counters are cumulative since the pool started. With
/// <see cref="WorkStealingPoolOptions.MeterFactory"/> set, the meter is created through that
/// factory (dependency injection's <c>IMeterFactory</c>), as .NET's own libraries do.
/// </summary>
/// <example><c>dotnet-counters monitor --counters WorkPool -p &lt;pid&gt;</c></example>
public static class WorkPoolMetrics
{
    /// <summary>The meter's name: <c>WorkPool</c>.</summary>
    public const string MeterName = "WorkPool";

    /// <summary>The meter's version: the WorkPool package's version (major.minor.patch).</summary>
    public static string MeterVersion { get; } = typeof(WorkPoolMetrics).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The attribute that names the pool, a tag of its meter (<see cref="System.Diagnostics.Metrics.Meter.Tags"/>): <c>workpool.pool.name</c>.</summary>
    public const string PoolTag = "workpool.pool.name";

    /// <summary>Counter, <c>{job}</c>: jobs executed by the workers (<see cref="ThreadStatistics.JobsRun"/>).</summary>
    public const string JobsExecuted = "workpool.jobs.executed";

    /// <summary>Counter, <c>{job}</c>: jobs spawned on workers and pushed onto their deques.</summary>
    public const string JobsSpawned = "workpool.jobs.spawned";

    /// <summary>Counter, <c>{job}</c>: jobs stolen from another worker's deque.</summary>
    public const string JobsStolen = "workpool.jobs.stolen";

    /// <summary>Counter, <c>{attempt}</c>: steal attempts that lost the race for a job.</summary>
    public const string StealsFailed = "workpool.steals.failed";

    /// <summary>Counter, <c>{job}</c>: jobs the workers took from the injector ring.</summary>
    public const string JobsInjected = "workpool.jobs.injected";

    /// <summary>Counter, <c>{job}</c>: jobs published into the injector ring (Installs, Joins and scopes called from outside, loops from outside that handed pieces to the workers, spawns from outside).</summary>
    public const string Installs = "workpool.installs";

    /// <summary>Counter, <c>{join}</c>: Joins whose second half ran inline (the fast path).</summary>
    public const string JoinsInline = "workpool.joins.inline";

    /// <summary>Counter, <c>{join}</c>: Join halves promoted to a deque for idle workers.</summary>
    public const string JoinsPromoted = "workpool.joins.promoted";

    /// <summary>Counter, <c>{join}</c>: promoted Join halves that ran as jobs (the Joins that really forked).</summary>
    public const string JoinHalvesTaken = "workpool.joins.taken";

    /// <summary>Counter, <c>{sleep}</c>: times a worker parked.</summary>
    public const string Sleeps = "workpool.worker.sleeps";

    /// <summary>Counter, <c>{wakeup}</c>: times a producer woke a sleeping worker for new work.</summary>
    public const string Wakeups = "workpool.worker.wakeups";

    /// <summary>Counter, <c>By</c>: bytes the worker threads allocated (sampled when they go idle).</summary>
    public const string AllocatedBytes = "workpool.worker.allocated";

    /// <summary>Counter, <c>s</c>: time outside threads spent waiting for a slot in a full injector ring.</summary>
    public const string InjectorBlockedTime = "workpool.injector.blocked_time";

    /// <summary>Gauge, <c>{job}</c>: jobs waiting in the injector ring.</summary>
    public const string InjectorDepth = "workpool.injector.depth";

    /// <summary>Gauge, <c>{worker}</c>: workers running jobs (neither searching for work nor asleep).</summary>
    public const string WorkersBusy = "workpool.workers.busy";

    /// <summary>Gauge, <c>{job}</c>: the most jobs any worker's deque has held at once.</summary>
    public const string DequeMaxDepth = "workpool.deque.max_depth";

    /// <summary>Every instrument name above, in the order they are created.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
    [
        JobsExecuted, JobsSpawned, JobsStolen, StealsFailed, JobsInjected, Installs, JoinsInline, JoinsPromoted, JoinHalvesTaken,
        Sleeps, Wakeups, AllocatedBytes, InjectorBlockedTime, InjectorDepth, WorkersBusy, DequeMaxDepth,
    ];
}
