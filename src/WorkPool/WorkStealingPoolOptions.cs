using System.Diagnostics.Metrics;

namespace WorkPool;

/// <summary>
/// Settings for a <see cref="WorkStealingPool"/>. Each setter validates its value and throws
/// <see cref="ArgumentOutOfRangeException"/> naming the option; the pool copies the options when
/// it is constructed, so changing them afterwards does not affect a running pool.
/// </summary>
public sealed class WorkStealingPoolOptions
{
    /// <summary>The largest accepted <see cref="ThreadCount"/>.</summary>
    public const int MaxThreadCount = 512;

    /// <summary>The largest accepted <see cref="InjectorCapacity"/> and <see cref="DequeCapacity"/>.</summary>
    public const int MaxCapacity = 1 << 24;

    /// <summary>The largest accepted <see cref="StatisticsSlots"/>.</summary>
    public const int MaxStatisticsSlots = 4096;

    /// <summary>The largest accepted <see cref="GuestSlots"/>.</summary>
    public const int MaxGuestSlots = 512;

    /// <summary>The largest <see cref="SpawnedJobsPerType"/>.</summary>
    public const int MaxSpawnedJobsPerType = 4096;

    private int _threadCount = Environment.ProcessorCount;
    private string _threadNamePrefix = "WorkPool";
    private int _stackSize;
    private int _injectorCapacity = 1024;
    private int _dequeCapacity = 1024;
    private int _spinCount = 512;
    private string? _name;
    private int _statisticsSlots = 64;
    private int? _guestSlots;
    private int _spawnedJobsPerType = 64;

    /// <summary>
    /// Number of worker threads, from 1 to <see cref="MaxThreadCount"/>. Default:
    /// <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int ThreadCount
    {
        get => _threadCount;
        set
        {
            if (value < 1 || value > MaxThreadCount)
            {
                throw new ArgumentOutOfRangeException(nameof(ThreadCount), value, $"ThreadCount must be between 1 and {MaxThreadCount}.");
            }

            _threadCount = value;
        }
    }

    /// <summary>
    /// Prefix of the worker threads' names; worker <c>i</c> is named <c>"{prefix}-{i}"</c>.
    /// Default: <c>"WorkPool"</c>. Must not be null or empty.
    /// </summary>
    public string ThreadNamePrefix
    {
        get => _threadNamePrefix;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value, nameof(ThreadNamePrefix));
            _threadNamePrefix = value;
        }
    }

    /// <summary>
    /// Maximum stack size of each worker thread in bytes, or 0 (the default) for the runtime's
    /// default. Deeply recursive Joins need stack; negative values are rejected.
    /// </summary>
    public int StackSize
    {
        get => _stackSize;
        set => _stackSize = ValidateNonNegative(value, nameof(StackSize));
    }

    /// <summary>
    /// Slots in the injector ring that carries work from threads outside the pool: a power of
    /// two from 2 to <see cref="MaxCapacity"/> (the ring's per-slot sequence numbers cannot tell
    /// a full one-slot ring from an empty one). Default: 1024. When the ring is full, callers
    /// wait for a slot; nothing is allocated or dropped.
    /// </summary>
    public int InjectorCapacity
    {
        get => _injectorCapacity;
        set => _injectorCapacity = ValidateCapacity(value, minimum: 2, nameof(InjectorCapacity));
    }

    /// <summary>
    /// Slots in each worker's deque: a power of two from 1 to <see cref="MaxCapacity"/>.
    /// Default: 1024. When a deque is full, Join runs both halves on the calling worker.
    /// </summary>
    public int DequeCapacity
    {
        get => _dequeCapacity;
        set => _dequeCapacity = ValidateCapacity(value, minimum: 1, nameof(DequeCapacity));
    }

    /// <summary>
    /// How many rounds an idle thread (a worker without work, or a caller waiting for its work)
    /// spins looking for work before it blocks; each round is a short CPU pause, with a yield
    /// every 32nd round. 0 blocks at once. Default: 512 (tens of microseconds). Higher values
    /// lower the latency of bursts; lower values give idle CPU back sooner.
    /// </summary>
    public int SpinCount
    {
        get => _spinCount;
        set => _spinCount = ValidateNonNegative(value, nameof(SpinCount));
    }

    /// <summary>
    /// The pool's name in statistics reports, in its trace events and in the
    /// <c>workpool.pool.name</c> attribute of its metrics (<see cref="Diagnostics.WorkPoolMetrics"/>).
    /// Default: null, which means <see cref="ThreadNamePrefix"/>. Must not be empty.
    /// </summary>
    public string? Name
    {
        get => _name;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrEmpty(value, nameof(Name));
            }

            _name = value;
        }
    }

    /// <summary>
    /// Statistics slots for threads outside the pool that call into it, from 1 to
    /// <see cref="MaxStatisticsSlots"/>; allocated with the pool, never grown. A thread claims one
    /// on its first call and keeps it until it exits, when the slot passes to the next new
    /// thread. Threads beyond this many live callers share one more slot. Default: 64.
    /// </summary>
    public int StatisticsSlots
    {
        get => _statisticsSlots;
        set
        {
            if (value < 1 || value > MaxStatisticsSlots)
            {
                throw new ArgumentOutOfRangeException(nameof(StatisticsSlots), value, $"StatisticsSlots must be between 1 and {MaxStatisticsSlots}.");
            }

            _statisticsSlots = value;
        }
    }

    /// <summary>
    /// How many threads outside the pool can take part in their own calls at once, from 0 to
    /// <see cref="MaxGuestSlots"/>. A thread that calls Install, Join, Scope or a parallel loop
    /// from outside every pool takes a free guest slot for the length of the call and runs the
    /// work itself, as one more participant: its Joins and spawns are shared with idle workers
    /// (work-stealing both ways), and small work costs about what it costs inline. When every
    /// slot is taken, the call is handed to the workers instead (through the injector ring).
    /// Default: <see cref="ThreadCount"/>, at least 4. Each slot costs about as much memory as
    /// a worker without a thread (mostly its deque, <see cref="DequeCapacity"/> references).
    /// </summary>
    /// <remarks>
    /// Set 0 to run every call on a worker thread: for bodies that need the workers' thread
    /// settings (<see cref="StackSize"/>, <see cref="ThreadNamePrefix"/>,
    /// <see cref="OnWorkerStart"/>), or that must not run on the calling thread (for example a
    /// thread whose synchronization context or thread-local state must not see them). A guest
    /// call runs on the caller's stack, with the caller's thread name. The caller's execution
    /// context (<see cref="AsyncLocal{T}"/> values) flows to the work on either path, and to every
    /// part of it that a worker takes.
    /// </remarks>
    public int GuestSlots
    {
        get => _guestSlots ?? Math.Max(4, _threadCount);
        set
        {
            if (value < 0 || value > MaxGuestSlots)
            {
                throw new ArgumentOutOfRangeException(nameof(GuestSlots), value, $"GuestSlots must be between 0 and {MaxGuestSlots}.");
            }

            _guestSlots = value;
        }
    }

    /// <summary>
    /// How many jobs the pool creates at once for a spawned body type (the work of
    /// <c>Spawn</c> and <c>scope.Spawn</c>, per type of body) whenever it has no free one: from 1
    /// to <see cref="MaxSpawnedJobsPerType"/>. Default: 64. Jobs go back to the pool when they
    /// start running and are reused by any thread, so a call shape with at most this many spawns
    /// in flight allocates nothing after its first call; a shape with more allocates another batch
    /// of this many whenever it runs out. Each job costs a cache line or two plus the body.
    /// </summary>
    public int SpawnedJobsPerType
    {
        get => _spawnedJobsPerType;
        set
        {
            if (value < 1 || value > MaxSpawnedJobsPerType)
            {
                throw new ArgumentOutOfRangeException(nameof(SpawnedJobsPerType), value, $"SpawnedJobsPerType must be between 1 and {MaxSpawnedJobsPerType}.");
            }

            _spawnedJobsPerType = value;
        }
    }

    /// <summary>
    /// Called on each worker thread, with its index, before it takes any work (for example to
    /// set thread affinity or per-thread state). An exception thrown here is unhandled on that
    /// thread and ends the process, as for any thread start routine.
    /// </summary>
    public Action<int>? OnWorkerStart { get; set; }

    /// <summary>
    /// Called on each worker thread, with its index, after it finished its last job during
    /// <see cref="WorkStealingPool.Dispose"/>. Work it spawns or installs asynchronously into
    /// the pool still runs, on that worker, before the thread ends. An exception thrown here ends
    /// the process.
    /// </summary>
    public Action<int>? OnWorkerExit { get; set; }

    /// <summary>
    /// Receives exceptions that escape fire-and-forget jobs (<see cref="WorkStealingPool.Spawn(Action)"/>
    /// and its other forms), on the worker that ran the job. Without a handler such an exception
    /// is unhandled, as for a work item of .NET's thread pool: it is rethrown on a thread of its
    /// own, which raises <see cref="AppDomain.UnhandledException"/> and ends the process. A handler
    /// that throws is treated the same way. The pool's workers keep running in both cases.
    /// </summary>
    public Action<Exception>? UnhandledException { get; set; }

    /// <summary>
    /// The factory the pool creates its <see cref="System.Diagnostics.Metrics.Meter"/> with
    /// (<see cref="Diagnostics.WorkPoolMetrics"/>), typically the <see cref="IMeterFactory"/> of an
    /// application's dependency injection container, so the meter belongs to that container and
    /// its listeners. The factory owns the meter: disposing the pool silences its instruments.
    /// Default: null, which means the pool creates and disposes its own meter.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    internal WorkStealingPoolOptions Clone() => (WorkStealingPoolOptions)MemberwiseClone();

    private static int ValidateNonNegative(int value, string option)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must not be negative.");
        }

        return value;
    }

    private static int ValidateCapacity(int value, int minimum, string option)
    {
        if (value < minimum || value > MaxCapacity || (value & (value - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be a power of two between {minimum} and {MaxCapacity}.");
        }

        return value;
    }
}
