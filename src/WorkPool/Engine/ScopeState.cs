using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// The state behind a <see cref="Scope"/> handle: how many of its jobs (and its body) have not
/// finished, the errors they threw, and the generation that tells live handles from stale ones.
/// Reused: each worker keeps one per scope nesting depth (scopes nest strictly LIFO on a thread,
/// like Joins), so a scope allocates nothing after a thread's first scope at that depth.
/// </summary>
/// <remarks>
/// <para>One <see cref="ParkingCount"/> word carries everything the hot paths touch: the
/// generation, the "waiter parked" flag and the pending count. Because they share a word, each
/// transition is one atomic operation and none can be torn apart:</para>
/// <list type="bullet">
/// <item>A spawn adds one with a CAS that also checks the generation and that the count is not
/// zero. A handle of an ended scope therefore never counts a job into the scope that reuses the
/// state: its CAS fails and it throws <see cref="InvalidOperationException"/>.</item>
/// <item>A finished job (or the body) subtracts one with an interlocked decrement (a full fence,
/// so its errors are visible to the owner before the count that says it finished). The count
/// never underflows into the flag: only holders of a count subtract.</item>
/// <item>Waiting and waking follow <see cref="ParkingCount"/>.</item>
/// <item>When the count is zero and the owner has collected the errors, it moves to the next
/// generation with count zero; the next scope at this depth starts with count one (its body).</item>
/// </list>
/// <para>The generation wraps after 2^32 scopes at one depth of one worker; a handle kept that
/// long and used at exactly the wrong moment is the one misuse this cannot catch.</para>
/// </remarks>
internal sealed class ScopeState : IDepthItem<ScopeState, ThreadContext>
{
    /// <summary>How many counts the body reserves at once for its own spawns (see <see cref="Spawn"/>).</summary>
    private const int CreditBatch = 64;

    private readonly ThreadContext _owner;
    private PaddedParkingCount _count;

    // Owner-only: while the body runs, spawns on the owner's thread take counts from credits
    // reserved in batches, so a body that spawns many jobs touches the shared word once per
    // batch instead of once per job, and thieves finishing jobs contend with it less. The body's
    // end returns the unused credits with its own count: until then they only keep the count
    // above zero, which the scope's wait needs anyway, since the body has not finished.
    private uint _liveGeneration;
    private bool _bodyRunning;
    private int _credits;

    // Written by jobs only in their error/cancel paths, read by the owner after the count is zero.
    // The errors are a lock-free stack (newest first): a lock here, taken in a job's catch by a
    // thread with a pending interrupt, could throw and skip the job's CompleteOne.
    private RecordedError? _errors;
    private int _skipped;

    /// <inheritdoc/>
    public static ScopeState Create(ThreadContext owner) => new(owner);

    internal ScopeState(ThreadContext owner)
    {
        _owner = owner;
        _count.Value = new ParkingCount(generation: 1, pending: 0);
    }

    /// <summary>The pool this scope spawns into (set for each use).</summary>
    internal WorkStealingPool Pool { get; private set; } = null!;

    /// <summary>Jobs that have not started when this is canceled are skipped.</summary>
    internal CancellationToken CancellationToken { get; private set; }

    /// <summary>True once the body and every job have finished (acquire).</summary>
    internal bool IsDone => ParkingCount.IsZero(ref _count.Value);

    /// <summary>Owner: starts a scope with its body counted; returns the generation for its handles.</summary>
    internal uint Begin(WorkStealingPool pool, CancellationToken cancellationToken)
    {
        ParkingCount word = _count.Value;
        Debug.Assert(word.Pending == 0 && !word.WaiterParked, "A scope state is reused only after its scope ended.");
        Pool = pool;
        CancellationToken = cancellationToken;
        _liveGeneration = word.Generation;
        _bodyRunning = true;
        _credits = 0;
        // Release: the fields above are visible to every thread that sees the live word.
        ParkingCount.VolatileWrite(ref _count.Value, word.WithPending(1));
        return _liveGeneration;
    }

    /// <summary>Owner: the body returned (or threw). Gives back its own count and its unused credits.</summary>
    internal void EndBody()
    {
        Debug.Assert(ThreadContext.CurrentOrNull == _owner && _bodyRunning);
        _bodyRunning = false;
        int returned = _credits + 1;
        _credits = 0;
        ParkingCount.Complete(ref _count.Value, _owner.Parker, returned);
    }

    /// <summary>Any thread holding a handle: counts one more job, or throws if the handle's scope has ended.</summary>
    internal void AddPending(uint generation, int count = 1)
    {
        ParkingCount word = ParkingCount.VolatileRead(ref _count.Value);
        while (true)
        {
            if (word.Generation != generation || word.Pending == 0)
            {
                ThrowEnded();
            }

            if (word.Pending > ParkingCount.MaxPending - count)
            {
                ThrowTooManyPending();
            }

            // Generation and flag unchanged: the CAS fails if either moved since the read.
            ParkingCount seen = ParkingCount.InterlockedCompareExchange(ref _count.Value, word.WithPending(word.Pending + count), word);
            if (seen == word)
            {
                return;
            }

            word = seen;
        }
    }

    /// <summary>Whether handles of <paramref name="generation"/> can still spawn (a snapshot).</summary>
    internal bool IsLive(uint generation)
    {
        ParkingCount word = ParkingCount.VolatileRead(ref _count.Value);
        return word.Generation == generation && word.Pending != 0;
    }

    /// <summary>
    /// Any thread holding a handle: counts the job, then publishes it: onto the calling worker's
    /// deque when it belongs to this scope's pool, otherwise through the injector ring.
    /// </summary>
    internal void Spawn<TJob>(uint generation, in TJob body)
        where TJob : struct, IScopeWork
    {
        // Count first: this validates the handle, and keeps the scope (and Pool) alive.
        ThreadContext context = ThreadContext.Current;
        if (context == _owner && _bodyRunning && generation == _liveGeneration)
        {
            // The body's thread (the body itself, or a job it runs inline): owner-only fields.
            if (_credits == 0)
            {
                AddPending(generation, CreditBatch);
                _credits = CreditBatch;
            }

            _credits--;
        }
        else
        {
            AddPending(generation);
        }

        WorkStealingPool pool = Pool;
        ScopeJob<TJob> job = JobCaches<ScopeJob<TJob>>.Rent(pool);
        job.Load(new ScopedBody<TJob>(this, generation, body));
        // A worker's deque, or a guest's when the scope is its own (it waits for the scope
        // before its call ends, so it never leaves the job behind on its deque).
        if (context.Participant is { } worker && worker.Pool == pool && (!worker.IsGuest || context == _owner))
        {
            if (!worker.TryPushSpawned(job))
            {
                // Deque full: run it now (correct, just less parallel); the scope waits for it anyway.
                job.Run(worker);
            }

            return;
        }

        if (!pool.PublishFromOutside(context, job))
        {
            // Disposed (before, or while this thread waited for room in the ring): not published.
            job.Unload();
            CompleteOne();
            WorkStealingPool.ThrowDisposed();
        }
    }

    /// <summary>A job or the body finished: uncount it, and wake the owner if it was the last and the owner parked.</summary>
    internal void CompleteOne() => ParkingCount.Complete(ref _count.Value, _owner.Parker);

    /// <summary>Runs one spawned job's body unless the scope was canceled before it started; records its exception.</summary>
    internal void RunJob<TJob>(ref TJob job, uint generation)
        where TJob : struct, IScopeWork
    {
        if (CancellationToken.IsCancellationRequested)
        {
            Volatile.Write(ref _skipped, 1);
        }
        else
        {
            try
            {
                job.Run(new Scope(this, generation));
            }
#pragma warning disable CA1031 // Every job's exception is collected and rethrown by the scope.
            catch (Exception e)
#pragma warning restore CA1031
            {
                RecordError(e);
            }
        }

        CompleteOne();
    }

    /// <summary>Any thread: keeps an exception for the owner to rethrow (cold path).</summary>
    internal void RecordError(Exception error)
    {
        var node = new RecordedError(ExceptionDispatchInfo.Capture(error));
        RecordedError? head = Volatile.Read(ref _errors);
        while (true)
        {
            node.Next = head;
            // Full fence: the owner, which reads the stack after the count that this job's
            // CompleteOne decrements afterwards, sees the node and the exception in it.
            RecordedError? seen = Interlocked.CompareExchange(ref _errors, node, head);
            if (seen == head)
            {
                return;
            }

            head = seen;
        }
    }

    /// <summary>Owner, before parking: true if it must be woken (the count is not zero yet).</summary>
    internal bool TryRegisterWaiter() => ParkingCount.TryRegisterWaiter(ref _count.Value);

    /// <summary>Owner, after waking: withdraws the flag.</summary>
    internal void UnregisterWaiter() => ParkingCount.UnregisterWaiter(ref _count.Value);

    /// <summary>
    /// Owner, once the count is zero: retires the generation (stale handles now throw), then
    /// throws what the scope collected: an <see cref="AggregateException"/> of every exception
    /// (however many: the rule does not depend on how many jobs ran), or
    /// <see cref="OperationCanceledException"/> when cancellation skipped a job and nothing threw.
    /// </summary>
    internal void End()
    {
        ParkingCount word = ParkingCount.VolatileRead(ref _count.Value);
        Debug.Assert(word.Pending == 0, "A scope ends after its last job.");
        ParkingCount.VolatileWrite(ref _count.Value, word.NextGeneration());
        Pool = null!;
        CancellationToken token = CancellationToken;
        CancellationToken = default;
        bool skipped = _skipped != 0;
        _skipped = 0;
        if (_errors is not null || skipped)
        {
            ThrowOutcome(skipped, token);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutcome(bool skipped, CancellationToken token)
    {
        RecordedError? errors = _errors;
        _errors = null;
        if (errors is null)
        {
            Debug.Assert(skipped);
            throw new OperationCanceledException("The scope was canceled before all of its jobs started.", token);
        }

        // The stack is newest first: report in the order the exceptions were recorded.
        var all = new List<Exception>();
        for (RecordedError? node = errors; node is not null; node = node.Next)
        {
            all.Add(node.Error.SourceException);
        }

        all.Reverse();
        throw Failures.OfParts(all, token);
    }

    /// <summary>One recorded exception, linked newest first.</summary>
    private sealed class RecordedError(ExceptionDispatchInfo error)
    {
        internal ExceptionDispatchInfo Error { get; } = error;

        internal RecordedError? Next;
    }

    [DoesNotReturn]
    private static void ThrowEnded() =>
        throw new InvalidOperationException("This scope has ended: a Scope handle is valid only until the Scope call that created it returns.");

    [DoesNotReturn]
    private static void ThrowTooManyPending() =>
        throw new InvalidOperationException("A scope cannot have more than int.MaxValue / 2 jobs pending at once.");
}
