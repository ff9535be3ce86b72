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
/// <para>Workers are dedicated, named background threads started by the constructor. Each has
/// a bounded work-stealing deque; threads outside the pool hand it work through a bounded ring
/// of preallocated slots. Idle workers spin for <see cref="WorkStealingPoolOptions.SpinCount"/>
/// rounds, then sleep until new work arrives.</para>
/// <para>Allocation-free forms: every <c>Install</c> and <c>Join</c> overload allocates nothing
/// after warm-up, as long as the caller passes no capturing lambda. Warm-up is per thread: a
/// thread allocates its context on its first call, and one reusable job the first time it
/// reaches a new Join/Install nesting depth with a body type (so run a recursive workload once
/// to its full depth before measuring) (a capturing
/// lambda's closure is allocated by the C# compiler in the caller, not by the pool). Use the
/// state + <c>static</c> lambda forms or the struct-body forms (<see cref="IWork"/>,
/// <see cref="IWork{TResult}"/>) to stay at zero bytes.</para>
/// <para>Exceptions thrown by user code are rethrown on the waiting thread with their original
/// stack trace; the pool keeps working after any user exception.</para>
/// </remarks>
public sealed partial class WorkStealingPool : IDisposable
{
    private const int DisposeGateClosed = int.MinValue;

    private readonly WorkStealingPoolOptions _options;
    private readonly Worker[] _workers;
    private readonly Worker[] _participants;
    private readonly GuestSlots _guests;
    private readonly Thread[] _threads;
    private readonly InjectorRing _injector;
    private readonly InjectorRing _installRing;
    private readonly Sleepers _sleepers;
    private readonly StatisticsRegistry _statistics;
    private readonly Diagnostics.PoolMeter _meter;
    private readonly bool _isDefault;

    // Free pooled jobs by job type (see JobCache), indexed by JobCaches<TJob>'s index; grows
    // under _jobCachesLock the first time the pool spawns a job of a new type (warm-up).
    private static int s_jobCacheCount;
    private readonly object _jobCachesLock = new();
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
        _statistics = new StatisticsRegistry(_options.ThreadCount, guestCount, _options.StatisticsSlots);
        _workers = new Worker[_options.ThreadCount];
        _participants = new Worker[_workers.Length + guestCount];
        _sleepers = new Sleepers(this, _workers); // sees the array filled below
        for (int i = 0; i < _participants.Length; i++)
        {
            _participants[i] = new Worker(this, _sleepers, i, isGuest: i >= _workers.Length, _options.DequeCapacity, _options.SpinCount);
        }

        Array.Copy(_participants, _workers, _workers.Length);
        _guests = new GuestSlots(_participants[_workers.Length..]);
        _threads = new Thread[_workers.Length];
        for (int i = 0; i < _workers.Length; i++)
        {
            _threads[i] = new Thread(_workers[i].Run, _options.StackSize)
            {
                IsBackground = true,
                Name = $"{_options.ThreadNamePrefix}-{i}",
            };
            _statistics.ParticipantSlot(i).ManagedThreadId = _threads[i].ManagedThreadId;
        }

        foreach (Thread thread in _threads)
        {
            // No ExecutionContext flows into workers: they belong to the pool, not to the creator.
            thread.UnsafeStart();
        }

        _meter = new Diagnostics.PoolMeter(this);
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
    public static WorkStealingPool? Current => ThreadContext.CurrentOrNull?.Worker?.Pool;

    /// <summary>
    /// The participant index of the calling thread in <see cref="Current"/>: 0 to
    /// <see cref="ThreadCount"/> − 1 on a worker, <see cref="ThreadCount"/> to
    /// <see cref="ParticipantCount"/> − 1 in a guest call (the index of the guest slot the
    /// calling thread holds for that call), −1 outside every pool. At any moment each index is
    /// held by at most one thread, so it can index per-participant state of
    /// <see cref="ParticipantCount"/> entries.
    /// </summary>
    public static int CurrentWorkerIndex => ThreadContext.CurrentOrNull?.Worker?.Index ?? -1;

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

    internal Worker[] Workers => _workers;

    /// <summary>Workers, then guest slots: everyone whose deque thieves look at.</summary>
    internal Worker[] Participants => _participants;

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
    /// Called from one of this pool's own workers (it would wait for itself), or on <see cref="Default"/>.
    /// </exception>
    /// <remarks>
    /// Do not dispose a pool from work that one of its own workers is waiting for (for example
    /// from a job in another pool that a job of this pool installed): Dispose waits for that
    /// worker, which waits for the job that called Dispose.
    /// </remarks>
    public void Dispose()
    {
        if (IsParticipantOfThisPool(ThreadContext.CurrentOrNull))
        {
            throw new InvalidOperationException("A WorkStealingPool cannot be disposed from its own work (a worker thread, or a call that runs on the calling thread as a guest of this pool): Dispose waits for that work to end.");
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
            SpinWait spinner = default;
            while ((Volatile.Read(ref _disposeGate.Value) & ~DisposeGateClosed) != 0)
            {
                spinner.SpinOnce();
            }

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

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        _meter.Dispose();
    }

    /// <summary>Whether <paramref name="context"/> is a participant of this pool: one of its workers, or a guest call into it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsParticipantOfThisPool(ThreadContext? context) => context?.Worker?.Pool == this;

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
        lock (_jobCachesLock)
        {
            JobCache?[] caches = _jobCaches;
            if ((uint)index < (uint)caches.Length && caches[index] is { } existing)
            {
                return existing;
            }

            var cache = new JobCache(Math.Max(_options.InjectorCapacity, _options.DequeCapacity));
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
    }

    /// <summary>Whether some participant has an offer open (a sleeping worker's last look, see Sleepers.Watch.cs).</summary>
    internal bool AnyOpenOffer()
    {
        foreach (Worker participant in _participants)
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
        foreach (Worker worker in _participants)
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

        foreach (Worker worker in _participants)
        {
            if (!worker.Deque.LooksEmpty)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The fallback of Install, Join, Scope and loops called from outside (no guest slot free, or
    /// a participant of another pool): a worker runs <paramref name="work"/> while this thread
    /// waits (a participant of another pool keeps running its own pool's jobs meanwhile).
    /// </summary>
    /// <remarks>
    /// The body is copied to this frame and runs there, in place, through the thread's type-free
    /// install job for its nesting depth (<see cref="ThreadContext.InstallJobAt"/>), as a
    /// promoted Join half runs on its owner's stack: no per-type job, so no body type ever
    /// allocates one. The wait is uninterruptible, because the worker writes into this frame
    /// until the job is done; an interrupt is rethrown afterwards, with the work's exception if
    /// it failed too.
    /// </remarks>
    /// <returns>
    /// The exception the work threw, for the caller to rethrow after it copied results out of
    /// <paramref name="work"/> (which holds the body's final state either way).
    /// </returns>
    private unsafe ExceptionDispatchInfo? InstallFromOutside<TWork>(ref TWork work, ThreadContext? context)
        where TWork : struct, IWork
    {
        Debug.Assert(!IsParticipantOfThisPool(context));
        context ??= ThreadContext.Current;
        TWork local = work;
        try
        {
            int depth = context.Depth;
            FrameJob job = context.InstallJobAt(depth);
            job.Load(Unsafe.AsPointer(ref local), &FrameJob.RunBody<TWork>);
            context.Depth = depth + 1;
            if (!PublishFromOutside(context, job, awaited: true))
            {
                context.Depth = depth;
                job.Disarm();
                ThrowDisposed();
            }

            var done = new JobDone(job);
            ThreadInterruptedException? interrupted = context.WaitUninterruptibly(ref done, _options.SpinCount, isolated: false);
            context.Depth = depth;
            ExceptionDispatchInfo? error = job.TakeError();
            if (interrupted is not null)
            {
                throw error is null ? interrupted : new AggregateException(error.SourceException, interrupted);
            }

            return error;
        }
        finally
        {
            work = local;
        }
    }

    /// <summary>
    /// Outside callers: publish <paramref name="job"/> into a ring and wake a sleeper (the
    /// <see cref="InstallRing"/> when the caller waits for the job, <paramref name="awaited"/>;
    /// the <see cref="Injector"/> for spawns); false, with nothing published, once Dispose has
    /// closed the gate (or, when <paramref name="waitForRoom"/> is false, when the ring is full).
    /// </summary>
    /// <remarks>
    /// Each attempt to enqueue happens inside the gate, so once Dispose has seen the gate drain no
    /// outside job can arrive; but a caller that finds the ring full waits for room outside it.
    /// A worker of another pool runs its own pool's jobs while it waits, and one of them may
    /// dispose this pool: if the waiter held the gate, that Dispose would wait for its own thread
    /// forever (race R2 in docs/design/dispose-gate.md). Dispose wakes every waiting producer after it
    /// closed the gate (<see cref="InjectorRing.WakeAllProducers"/>); each one then finds the gate
    /// closed and gives up.
    /// </remarks>
    internal bool PublishFromOutside(ThreadContext context, Job job, bool waitForRoom = true, bool awaited = false)
    {
        if (!TryEnterGate())
        {
            return false;
        }

        InjectorRing ring = awaited ? _installRing : _injector;
        bool enqueued;
        try
        {
            enqueued = ring.TryEnqueue(job);
        }
        finally
        {
            ExitGate();
        }

        if (!enqueued)
        {
            if (!waitForRoom)
            {
                return false;
            }

            long blockedSince = Stopwatch.GetTimestamp();
            var accepted = new RingAcceptsThroughGate(this, ring, job);
            if (context.Worker is { } participant)
            {
                participant.WaitUntil(ref accepted, isolated: false);
            }
            else
            {
                context.WaitUntil(ref accepted, _options.SpinCount);
            }

            _statistics.PublisherSlot(context).RingFullWait(Stopwatch.GetTimestamp() - blockedSince);
            if (!accepted.Enqueued)
            {
                return false;
            }
        }

        _statistics.PublisherSlot(context).Installed();
        // Full fence between publishing the job and reading the sleeper count (see Sleepers).
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
        return true;
    }

    /// <summary>
    /// A worker of this pool whose deque is full: publish <paramref name="job"/> into the ring
    /// without the gate (a worker drains the ring before it exits, so Dispose cannot strand it),
    /// waiting for room while running the pool's jobs.
    /// </summary>
    internal void InjectFromWorker(ThreadContext context, Job job)
    {
        Debug.Assert(IsParticipantOfThisPool(context));
        if (!_injector.TryEnqueue(job))
        {
            var accepted = new RingAccepts(_injector, job);
            context.Worker!.WaitUntil(ref accepted, isolated: false);
        }

        // Full fence between publishing the job and reading the sleeper count (see Sleepers).
        Interlocked.MemoryBarrier();
        _sleepers.NotifyWork();
    }

    /// <summary>Outside callers: counts the caller in the gate, or returns false once Dispose has closed it.</summary>
    internal bool TryEnterGate()
    {
        if (Interlocked.Increment(ref _disposeGate.Value) < 0)
        {
            Interlocked.Decrement(ref _disposeGate.Value);
            return false;
        }

        return true;
    }

    private void EnterGate()
    {
        if (!TryEnterGate())
        {
            ThrowDisposed();
        }
    }

    internal void ExitGate() => Interlocked.Decrement(ref _disposeGate.Value);

    [DoesNotReturn]
    internal static void ThrowDisposed() => throw new ObjectDisposedException(nameof(WorkStealingPool));

    private static class DefaultPool
    {
        internal static readonly WorkStealingPool Instance =
            new(new WorkStealingPoolOptions { ThreadNamePrefix = "WorkPool.Default" }, isDefault: true);
    }
}
