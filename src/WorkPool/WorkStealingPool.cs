using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// A work-stealing thread pool whose steady state allocates nothing, on the calling thread or
/// on its workers: an allocation-free replacement for <c>Task.Run(...).Wait()</c>,
/// <c>Parallel.Invoke</c> and friends in latency-critical code.
/// </summary>
/// <remarks>
/// <para>Workers are dedicated, named background threads started by the constructor, each with
/// a bounded work-stealing deque. A thread outside every pool that calls Install, Join, Scope or
/// a loop runs the work itself in a guest slot (<see cref="WorkStealingPoolOptions.GuestSlots"/>),
/// sharing its halves and spawns with idle workers; without a free slot the call is handed to the
/// workers through a bounded ring. Idle workers spin for
/// <see cref="WorkStealingPoolOptions.SpinCount"/> rounds, then sleep until new work arrives.</para>
/// <para>Allocation-free forms: after one call of a shape (the same form and body types, within
/// the nesting and spawn limits the options state), every later call allocates nothing,
/// process-wide, whichever threads run its pieces, as long as the caller passes no capturing
/// lambda (whose closure the C# compiler allocates in the caller). Use the state +
/// <c>static</c> lambda forms or the struct-body forms (<see cref="IWork"/>,
/// <see cref="IWork{TResult}"/>) to stay at zero bytes.</para>
/// <para>Exceptions thrown by user code are rethrown on the waiting thread, by one rule per
/// operation that does not depend on where the code ran (docs/exceptions.md); the pool keeps
/// working after any user exception. <see cref="Thread.Interrupt"/> never breaks a wait of the
/// pool: an interrupt stays pending for the interrupted thread's own next wait.</para>
/// </remarks>
public sealed partial class WorkStealingPool : IDisposable
{
    private const int DisposeGateClosed = int.MinValue;

    private readonly WorkStealingPoolOptions _options;
    private readonly Participant[] _workers;
    private readonly Participant[] _participants;
    private readonly GuestSlots _guests;
    private readonly WorkerThread[] _workerThreads;
    private readonly InjectorRing _injector;
    private readonly InjectorRing _installRing;
    private readonly Sleepers _sleepers;
    private readonly StatisticsRegistry _statistics;
    private readonly Diagnostics.PoolMeter _meter;
    private readonly bool _isDefault;

    /// <summary>Ids for the pools' events (see <see cref="WorkPoolEventSource"/>).</summary>
    private static int s_lastId;

    // Free pooled jobs by job type (see JobCache), indexed by JobCaches<TJob>'s index; grows
    // under _jobCachesLock the first time the pool spawns a job of a new type (warm-up). The lock
    // cannot be interrupted: a scope spawn reaches it after counting its job (see Parker).
    private static int s_jobCacheCount;
    private UninterruptibleLock _jobCachesLock;
    private JobCache?[] _jobCaches = new JobCache?[8];

    // Sign bit: closed by Dispose. Low bits: outside callers between their disposed-check and
    // the publication of their job. Dispose closes the gate and waits for the count to drain,
    // so once workers see _shutdown, no outside job can still arrive.
    private PaddedInt32 _disposeGate;
    private volatile bool _shutdown;
    private int _disposeStarted;

    /// <summary>Creates a pool with default options (one worker per processor).</summary>
    public WorkStealingPool()
        : this(new WorkStealingPoolOptions())
    {
    }

    /// <summary>Creates a pool and starts its worker threads.</summary>
    /// <param name="options">The settings; copied, so later changes do not affect this pool.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public WorkStealingPool(WorkStealingPoolOptions options)
        : this(options, isDefault: false)
    {
    }

    private WorkStealingPool(WorkStealingPoolOptions options, bool isDefault)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _isDefault = isDefault;
        _injector = new InjectorRing(_options.InjectorCapacity);
        _installRing = new InjectorRing(_options.InjectorCapacity);
        int guestCount = _options.GuestSlots;
        Id = Interlocked.Increment(ref s_lastId);
        _statistics = new StatisticsRegistry(_options.ThreadCount, guestCount, _options.StatisticsSlots, Id);
        _workers = new Participant[_options.ThreadCount];
        _participants = new Participant[_workers.Length + guestCount];
        _sleepers = new Sleepers(this, _workers); // sees the array filled below
        for (int i = 0; i < _participants.Length; i++)
        {
            _participants[i] = new Participant(this, _sleepers, i, isGuest: i >= _workers.Length, _options.DequeCapacity, _options.SpinCount);
        }

        Array.Copy(_participants, _workers, _workers.Length);
        _guests = new GuestSlots(_participants[_workers.Length..]);
        _workerThreads = new WorkerThread[_workers.Length];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workerThreads[i] = new WorkerThread(_workers[i], _options);
            _statistics.ParticipantSlot(i).ManagedThreadId = _workerThreads[i].ManagedThreadId;
        }

        foreach (WorkerThread thread in _workerThreads)
        {
            thread.Start();
        }

        _meter = new Diagnostics.PoolMeter(this, _options.MeterFactory);
        if (WorkPoolEventSource.PoolOn)
        {
            WorkPoolEventSource.Log.PoolStarted(Id, Name, _workers.Length, guestCount);
        }
    }

    /// <summary>
    /// The shared pool used by <see cref="ForkJoin"/> outside any worker: created on first use
    /// with default options (one worker per processor, threads named <c>WorkPool.Default-i</c>),
    /// alive for the rest of the process. It cannot be disposed.
    /// </summary>
    public static WorkStealingPool Default => DefaultPool.Instance;

    /// <summary>
    /// The pool the calling thread takes part in: the pool of the calling worker, or the pool of
    /// the guest call the calling thread is in (see <see cref="WorkStealingPoolOptions.GuestSlots"/>);
    /// null on a thread outside every pool.
    /// </summary>
    public static WorkStealingPool? Current => ThreadContext.CurrentOrNull?.Participant?.Pool;

    /// <summary>
    /// The participant index of the calling thread in <see cref="Current"/>: 0 to
    /// <see cref="ThreadCount"/> − 1 on a worker, <see cref="ThreadCount"/> to
    /// <see cref="ParticipantCount"/> − 1 in a guest call (the index of the guest slot the
    /// calling thread holds for that call), −1 outside every pool. At any moment each index is
    /// held by at most one thread, so it can index per-participant state of
    /// <see cref="ParticipantCount"/> entries.
    /// </summary>
    public static int CurrentWorkerIndex => ThreadContext.CurrentOrNull?.Participant?.Index ?? -1;

    /// <summary>Number of worker threads.</summary>
    public int ThreadCount => _workers.Length;

    /// <summary>
    /// Workers plus guest slots (<see cref="WorkStealingPoolOptions.GuestSlots"/>): the range of
    /// <see cref="CurrentWorkerIndex"/> and <see cref="ForkContext.WorkerIndex"/> inside this pool.
    /// </summary>
    public int ParticipantCount => _participants.Length;

    /// <summary>True once <see cref="Dispose"/> has started; every entry point then throws <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposeStarted) != 0;

    internal WorkStealingPoolOptions Options => _options;

    /// <summary>This pool's id in the <c>WorkPool</c> event source's events (a process-wide counter).</summary>
    internal int Id { get; }

    internal Participant[] Workers => _workers;

    /// <summary>Workers, then guest slots: everyone whose deque thieves look at.</summary>
    internal Participant[] Participants => _participants;

    /// <summary>The ring of fire-and-forget work from outside (spawns), with backpressure on floods.</summary>
    internal InjectorRing Injector => _injector;

    /// <summary>
    /// The ring of work whose caller waits for it (Install, Join, Scope and loops handed to the
    /// workers): workers look at it before <see cref="Injector"/>, so a blocking caller never
    /// queues behind a fire-and-forget flood.
    /// </summary>
    internal InjectorRing InstallRing => _installRing;

    internal Sleepers Sleepers => _sleepers;

    internal StatisticsRegistry StatisticsRegistry => _statistics;

    internal bool IsShuttingDown => _shutdown;

    /// <summary>
    /// Finishes all queued work, stops and joins every worker thread. Idempotent: later and
    /// concurrent calls return once the workers have exited. Afterwards every entry point throws
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Called from this pool's own work (one of its workers, or a call that runs as a guest of
    /// this pool), from work of another pool that this pool's work installed and waits for, or on
    /// <see cref="Default"/>: Dispose would wait for itself.
    /// </exception>
    /// <remarks>
    /// Dispose waits for every worker and every guest call in progress (a call from outside that
    /// runs on its own thread as a guest). Work that one of them waits for therefore cannot
    /// dispose the pool: an <see cref="Install(Action)"/> into another pool, from a worker or a
    /// guest call of this one, whose work calls Dispose is refused with
    /// <see cref="InvalidOperationException"/>, also through further Installs in between. The pool
    /// follows those Installs only: a Join half, a loop piece or a spawn of that work that another
    /// worker runs is not traced, and disposing from there waits forever.
    /// </remarks>
    public void Dispose()
    {
        ThreadContext? current = ThreadContext.CurrentOrNull;
        if (IsParticipantOfThisPool(current))
        {
            throw new InvalidOperationException("A WorkStealingPool cannot be disposed from its own work (a worker thread, or a call that runs on the calling thread as a guest of this pool): Dispose waits for that work to end.");
        }

        if (IsAwaitedBy(current))
        {
            throw new InvalidOperationException("A WorkStealingPool cannot be disposed from work that its own work waits for (an Install into another pool from a worker or a guest call of this pool): Dispose waits for that worker or call, which waits for this work.");
        }

        if (_isDefault)
        {
            throw new InvalidOperationException("WorkStealingPool.Default lives as long as the process and cannot be disposed.");
        }

        if (Interlocked.Exchange(ref _disposeStarted, 1) == 0)
        {
            // Guest calls in progress finish first (their shared halves still need the workers),
            // and none can start afterwards: those calls go to the gate below, which refuses them.
            _guests.CloseAll();
            Interlocked.Or(ref _disposeGate.Value, DisposeGateClosed);
            var drained = new DisposeGateDrained(this);
            var polling = new PollingWaiter(ThreadContext.Current);
            WaitLoop.Run(ref drained, ref polling);

            _shutdown = true;
            // Full fence: workers that park after this see _shutdown in their last look, and
            // the unconditional unpark below reaches those already parked.
            Interlocked.MemoryBarrier();
            _sleepers.WakeAll();
            // Producers parked on a full ring wait outside the gate: each wakes, finds it closed
            // and gives up (see PublishFromOutside). Later ones find it closed before they register.
            _injector.WakeAllProducers();
            _installRing.WakeAllProducers();
        }

        // An interrupt must not cut Dispose short (a second call would then find it started and
        // wait for nothing else): join every worker, then leave the interrupt pending again.
        bool interrupted = false;
        foreach (WorkerThread thread in _workerThreads)
        {
            while (true)
            {
                try
                {
                    thread.Join();
                    break;
                }
                catch (ThreadInterruptedException)
                {
                    interrupted = true;
                }
            }
        }

        _meter.Dispose();
        if (WorkPoolEventSource.PoolOn)
        {
            WorkPoolEventSource.Log.PoolDisposed(Id);
        }

        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }

    /// <summary>Whether the work <paramref name="context"/> runs is (through install jobs) awaited by a participant of this pool.</summary>
    private bool IsAwaitedBy(ThreadContext? context)
    {
        for (FrameJob? awaited = context?.RunningAwaited; awaited is not null; awaited = awaited.WaiterChain)
        {
            if (awaited.WaiterPool == this)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="context"/> is a participant of this pool: one of its workers, or a guest call into it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsParticipantOfThisPool(ThreadContext? context) => context?.Participant?.Pool == this;

    /// <summary>
    /// An exception escaped a fire-and-forget job: hand it to the options' handler, or make it
    /// unhandled the way .NET's thread pool does, on a thread that is not a worker, so this
    /// worker's stack (which may hold Join frames other workers write into) is not unwound.
    /// </summary>
    internal void ReportUnhandled(Exception error)
    {
        if (_options.UnhandledException is { } handler)
        {
            try
            {
                handler(error);
                return;
            }
#pragma warning disable CA1031 // A failing handler makes its own exception unhandled instead.
            catch (Exception handlerError)
#pragma warning restore CA1031
            {
                error = handlerError;
            }
        }

        var unhandled = new Thread(static state => ((ExceptionDispatchInfo)state!).Throw())
        {
            IsBackground = true,
            Name = $"{_options.ThreadNamePrefix}-unhandled",
        };
        unhandled.UnsafeStart(ExceptionDispatchInfo.Capture(error));
    }

    /// <summary>A new index into every pool's job caches, once per pooled job type.</summary>
    internal static int NewJobCacheIndex() => Interlocked.Increment(ref s_jobCacheCount) - 1;

    /// <summary>This pool's cache of free jobs of the type with <paramref name="index"/>, created on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal JobCache JobCacheAt(int index)
    {
        JobCache?[] caches = Volatile.Read(ref _jobCaches);
        return (uint)index < (uint)caches.Length && Volatile.Read(ref caches[index]) is { } cache ? cache : CreateJobCache(index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private JobCache CreateJobCache(int index)
    {
        _jobCachesLock.Enter();
        try
        {
            JobCache?[] caches = _jobCaches;
            if ((uint)index < (uint)caches.Length && caches[index] is { } existing)
            {
                return existing;
            }

            var cache = new JobCache(Math.Max(_options.InjectorCapacity, _options.DequeCapacity), _options.SpawnedJobsPerType);
            if (index >= caches.Length)
            {
                Array.Resize(ref caches, Math.Max(index + 1, caches.Length * 2));
                caches[index] = cache;
                // Release: the grown array is published with the new cache in it.
                Volatile.Write(ref _jobCaches, caches);
            }
            else
            {
                Volatile.Write(ref caches[index], cache);
            }

            return cache;
        }
        finally
        {
            _jobCachesLock.Exit();
        }
    }

    /// <summary>Whether some participant has an offer open (a sleeping worker's last look, see Sleepers.Watch.cs).</summary>
    internal bool AnyOpenOffer()
    {
        foreach (Participant participant in _participants)
        {
            if (participant.HasOpenOffer)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Any job on a participant's deque: the last look of a worker asleep in an isolated wait, which does not take ring work.</summary>
    internal bool HasVisibleDequeWork()
    {
        foreach (Participant worker in _participants)
        {
            if (!worker.Deque.LooksEmpty)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Any job visible to a worker's last look before sleeping (see <see cref="Sleepers"/>).</summary>
    internal bool HasVisibleWork()
    {
        if (!_injector.LooksEmpty || !_installRing.LooksEmpty)
        {
            return true;
        }

        foreach (Participant worker in _participants)
        {
            if (!worker.Deque.LooksEmpty)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="error"/> is this pool refusing a call after Dispose (not a part's failure).</summary>
    private bool IsOwnDisposal(Exception error) => error is ObjectDisposedException { ObjectName: nameof(WorkStealingPool) } && IsDisposed;

    private static class DefaultPool
    {
        internal static readonly WorkStealingPool Instance =
            new(new WorkStealingPoolOptions { ThreadNamePrefix = "WorkPool.Default" }, isDefault: true);
    }
}
