using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace WorkPool;

/// <summary>
/// The job of an async call (<see cref="WorkStealingPool.InstallAsync(Action, CancellationToken)"/>
/// and its siblings) and the pooled completion source behind its <see cref="ValueTask"/>: a
/// worker runs the body, then hands the completion to the .NET thread pool, whose thread
/// completes the source and so runs the awaiting continuation. No continuation ever runs on a
/// pool worker. The protocol and its races are in docs/async.md.
/// </summary>
/// <remarks>
/// <para>Life of one use ("a lap"): the caller rents the job from <see cref="s_free"/>, loads the
/// body and hands out <c>ValueTask(this, token)</c> with the source's current version as the
/// token; a worker takes the job (from the install ring, or from its own deque when a worker of
/// the pool made the call), skips the body when the token was cancelled by then, runs it
/// otherwise, records the outcome and queues the job to the .NET thread pool as an
/// <see cref="IThreadPoolWorkItem"/> (no allocation); that thread completes
/// <see cref="_core"/>, which runs the continuation right there (or posts it to the captured
/// <see cref="SynchronizationContext"/> / <see cref="TaskScheduler"/>); the awaiter's
/// <see cref="GetResult"/> takes the outcome and gives the job back, bumping the version.</para>
/// <para>Why the extra hop instead of completing on the worker with
/// <c>RunContinuationsAsynchronously</c>: that queues the continuation too, but wraps every
/// continuation that is not an async method's own state machine (a <c>ValueTask.AsTask()</c>, a
/// hand-written awaiter) in a new work item. Queuing the job itself costs nothing for every kind
/// of continuation, and the worker is free again as soon as the body returned.</para>
/// <para>Misuse never corrupts a pooled job. Every token is checked against the version
/// (<see cref="ManualResetValueTaskSourceCore{TResult}"/> throws
/// <see cref="InvalidOperationException"/> for a stale one), and the two steps that must happen
/// once per lap are claimed with a CAS from "the previous token" to "this token":
/// <see cref="_lastListened"/> for <see cref="OnCompleted"/> (a second awaiter of the same
/// ValueTask throws before it can touch the first one's continuation) and
/// <see cref="_lastConsumed"/> for <see cref="GetResult"/> (only one caller ever gives the job
/// back; one that checked the token just before the job went back fails the CAS, because the
/// claim field already holds its token). Tokens are the core's 16-bit versions, kept
/// sign-extended in ints; like every pooled .NET source, a token held across 65,536 further laps
/// of the same job would look valid again.</para>
/// </remarks>
internal sealed class AsyncJob<TBody, TResult> : Job, IValueTaskSource<TResult>, IValueTaskSource, IThreadPoolWorkItem
    where TBody : struct, IAsyncBody<TResult>
{
    /// <summary>
    /// Free jobs of this body type, shared by every pool and thread of the process (a job holds
    /// no pool): 8 per processor, at least 64, rounded up to a power of two. A lap whose store was
    /// empty creates a job (warm-up, or more calls in flight than that); a job given back to a
    /// full store is left to the GC.
    /// </summary>
    private static readonly BoundedQueue<AsyncJob<TBody, TResult>> s_free = new((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, 8 * Environment.ProcessorCount)));

    // RunContinuationsAsynchronously stays false: the core is completed on a .NET thread-pool
    // thread already (see the remarks), where running the continuation inline is what we want.
    private ManualResetValueTaskSourceCore<TResult> _core;
    private TBody _body;
    private CancellationToken _cancellationToken;
    private Exception? _error;

    // Sign-extended 16-bit tokens: the last lap whose OnCompleted / GetResult was claimed.
    private int _lastListened = -1;
    private int _lastConsumed = -1;

    /// <summary>A free job: a kept one, or a new one (warm-up, or more calls in flight than the store keeps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static AsyncJob<TBody, TResult> Rent() => s_free.TryDequeue() ?? new AsyncJob<TBody, TResult>();

    /// <summary>Caller: loads the call; returns the token of this lap. Publication (ring CAS or deque release) orders these stores before the worker reads them.</summary>
    internal short Load(in TBody body, CancellationToken cancellationToken)
    {
        Debug.Assert(_error is null && (short)(_core.Version - 1) == _lastConsumed, "A rented job is fresh.");
        _body = body;
        _cancellationToken = cancellationToken;
        return _core.Version;
    }

    /// <summary>Caller: the job could not be published (the pool was disposed); it never ran and no ValueTask was handed out.</summary>
    internal void Unload()
    {
        _lastConsumed = _core.Version;
        Release();
    }

    /// <summary>Participant: runs the body (unless cancelled), records the outcome, and hands the completion to the .NET thread pool.</summary>
    internal override void Execute(Participant executor)
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            // Cancelled before it started: the body is skipped.
            _error = new OperationCanceledException(_cancellationToken);
        }
        else
        {
            try
            {
                _body.Run(new ForkContext(executor));
            }
#pragma warning disable CA1031 // Every user exception goes to the awaiter, with its original stack.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _error = e;
            }
        }

        // The queue's own synchronization publishes the outcome to the thread that runs the item.
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>
    /// A .NET thread-pool thread: completes the source, which runs the continuation here (or
    /// posts it to the context it captured). The job may be given back and reused by the
    /// continuation, so nothing here touches it afterwards.
    /// </summary>
    void IThreadPoolWorkItem.Execute()
    {
        Exception? error = _error;
        if (error is null)
        {
            _core.SetResult(_body.Result);
        }
        else
        {
            _error = null;
            // Captures the exception's stack: GetResult rethrows it as Install does.
            _core.SetException(error);
        }
    }

    /// <summary>
    /// The lap's status; but to a pool worker (of any pool) a completed lap reads as pending, so
    /// an <c>await</c> there registers its continuation instead of running it inline, and the core
    /// queues it to the .NET thread pool (or posts it to the captured context): code after an
    /// <c>await</c> never runs on a pool worker, also when the ValueTask completed before the
    /// await looked. Everything else reads the true status (<see cref="GetResult"/> checks the
    /// core itself).
    /// </summary>
    public ValueTaskSourceStatus GetStatus(short token)
    {
        ValueTaskSourceStatus status = _core.GetStatus(token);
        return status != ValueTaskSourceStatus.Pending && ThreadContext.CurrentOrNull?.Participant is { IsGuest: false }
            ? ValueTaskSourceStatus.Pending
            : status;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        int previous = (short)(token - 1);
        if (Interlocked.CompareExchange(ref _lastListened, token, previous) != previous)
        {
            ThrowMisuse();
        }

        // On a worker (the call was made there, so the job may lie on its own deque), what
        // registers here may block the thread next (sync over async: AsTask().Wait()): run the
        // job now if it still waits on this worker's deque, as the worker would after the await.
        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending && ThreadContext.CurrentOrNull?.Participant is { IsGuest: false } worker)
        {
            worker.RunOwnJobsUntil(this);
        }

        _core.OnCompleted(continuation, state, token, flags);
    }

    public TResult GetResult(short token)
    {
        // Throws InvalidOperationException for a token of another lap.
        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            ThrowNotCompleted();
        }

        int previous = (short)(token - 1);
        if (Interlocked.CompareExchange(ref _lastConsumed, token, previous) != previous)
        {
            ThrowMisuse();
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    /// <summary>The consumer of this lap: clears the job, bumps the version and keeps the job for the next call (or drops it when the store is full).</summary>
    private void Release()
    {
        Debug.Assert(_lastConsumed == _core.Version, "Only the claimed consumer releases.");
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TBody>())
        {
            _body = default;
        }

        _cancellationToken = default;
        _lastListened = _core.Version;
        _core.Reset();
        s_free.TryEnqueue(this);
    }

    [DoesNotReturn]
    private static void ThrowNotCompleted() =>
        throw new InvalidOperationException("The operation has not completed yet: a ValueTask of WorkStealingPool's async forms must be awaited, not read before it completes.");

    [DoesNotReturn]
    private static void ThrowMisuse() =>
        throw new InvalidOperationException("This ValueTask was awaited already: a ValueTask may be awaited (or have its result read) only once.");
}
