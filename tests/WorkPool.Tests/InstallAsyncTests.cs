using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

// CA2012: these tests hold ValueTasks on purpose, to misuse them and to start calls before awaiting them.
#pragma warning disable CA2012

namespace WorkPool.Tests;

/// <summary>
/// InstallAsync in every form: results, where the work and the continuation run (never the
/// work on the caller, never the continuation on a worker; the captured context honoured unless
/// ConfigureAwait(false)), exceptions, cancellation (before the call, before the start, racing
/// the start), misuse of the ValueTask (never corrupting a pooled source), and Dispose with
/// awaits in flight.
/// </summary>
public class InstallAsyncTests
{
    /// <summary>Runs an async test body on a dedicated thread outside every pool (no synchronization context), bounded.</summary>
    internal static void RunAsync(Func<Task> body, [CallerMemberName] string test = "") =>
        Bounded.Run(() => body().GetAwaiter().GetResult(), test);

    /// <summary>Awaits <paramref name="task"/> for at most the hang bound.</summary>
    internal static async Task<T> Within<T>(ValueTask<T> task, string what)
    {
        try
        {
            return await task.AsTask().WaitAsync(Bounded.WaitLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Hung awaiting {what}.");
            throw;
        }
    }

    internal static async Task Within(ValueTask task, string what)
    {
        try
        {
            await task.AsTask().WaitAsync(Bounded.WaitLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Hung awaiting {what}.");
            throw;
        }
    }

    [Fact]
    public void EveryForm_RunsOnAWorkerOnce_AndReturnsItsResult() => RunAsync(async () =>
    {
        // No guest slot: the route that hands the work to a worker (the inline route is tested below).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        int[] runs = new int[1];
        var seen = new ConcurrentQueue<(WorkStealingPool? Pool, int Index, int Thread)>();
        int caller = Environment.CurrentManagedThreadId;

        await pool.InstallAsync(() =>
        {
            Interlocked.Increment(ref runs[0]);
            seen.Enqueue((WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex, Environment.CurrentManagedThreadId));
        });
        Assert.Equal(42, await pool.InstallAsync(() => 42));
        await pool.InstallAsync(runs, static r => Interlocked.Increment(ref r[0]));
        Assert.Equal(21L, await pool.InstallAsync(7, static s => s * 3L));
        AddWork work = await pool.InstallAsync(new AddWork(2, 3));
        Assert.Equal((5, 1), (work.Sum, work.Runs));
        Assert.Same(pool, work.Pool);
        Assert.InRange(work.WorkerIndex, 0, pool.ThreadCount - 1);
        Assert.Equal(15L, await pool.InstallAsync<TripleWork, long>(new TripleWork(5)));
        Assert.StartsWith("w@", await pool.InstallAsync<WhereWork, string>(new WhereWork("w")), StringComparison.Ordinal);

        Assert.Equal(2, runs[0]);
        (WorkStealingPool? where, int index, int thread) = Assert.Single(seen);
        Assert.Same(pool, where);
        Assert.InRange(index, 0, pool.ThreadCount - 1);
        Assert.NotEqual(caller, thread);
    });

    /// <summary>
    /// The inline route (issue 22): a caller with no context to resume on, outside every pool,
    /// with a guest slot free, runs the work itself as a guest and gets a completed ValueTask, in
    /// every form; its exception comes back through the ValueTask. With a context to keep free
    /// (a SynchronizationContext, a TaskScheduler) or no free slot, the work goes to a worker.
    /// </summary>
    [Fact]
    public void NoContext_AGuestSlotFree_TheCallerRunsTheWork_AndTheValueTaskIsComplete() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1, o => o.GuestSlots = 4);
        int caller = Environment.CurrentManagedThreadId;
        for (int i = 0; i < 200; i++)
        {
            ValueTask<(int Thread, int Index)> call = pool.InstallAsync(static () => (Environment.CurrentManagedThreadId, WorkStealingPool.CurrentWorkerIndex));
            Assert.True(call.IsCompleted, "the inline route returns a completed ValueTask");
            (int thread, int index) = call.Result;
            Assert.Equal(caller, thread);
            Assert.InRange(index, pool.ThreadCount, pool.ParticipantCount - 1);
        }

        int[] runs = new int[1];
        Assert.True(pool.InstallAsync(runs, static r => Interlocked.Increment(ref r[0])).IsCompletedSuccessfully);
        Assert.Equal(9L, pool.InstallAsync(3, static s => s * 3L).Result);
        Assert.Equal(15L, pool.InstallAsync<TripleWork, long>(new TripleWork(5)).Result);
        Assert.True(pool.ScopeAsync(runs, static (r, scope) => scope.Spawn(r, static (r, _) => Interlocked.Increment(ref r[0]))).IsCompletedSuccessfully);
        int[] squares = new int[32];
        Assert.True(pool.ForAsync(0, squares.Length, squares, static (q, i) => q[i] = i * i).IsCompletedSuccessfully);
        Assert.Equal(2, runs[0]);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => i * i), squares);

        var error = new InvalidOperationException("inline");
        ValueTask failed = pool.InstallAsync(error, static e => throw e);
        Assert.True(failed.IsFaulted);
        Assert.Same(error, Assert.Throws<InvalidOperationException>(() => failed.GetAwaiter().GetResult()));
    });

    [Fact]
    public void AContextToKeepFree_OrNoFreeSlot_TheWorkGoesToAWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1, o => o.GuestSlots = 4);
        int caller = Environment.CurrentManagedThreadId;
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
        try
        {
            Assert.Equal(0, pool.InstallAsync(static () => WorkStealingPool.CurrentWorkerIndex).AsTask().Result);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        // Under a task scheduler other than the default: the work goes to a worker too.
        int index = Task.Factory.StartNew(
            () => pool.InstallAsync(static () => WorkStealingPool.CurrentWorkerIndex).AsTask().Result,
            CancellationToken.None,
            TaskCreationOptions.None,
            new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Result;
        Assert.Equal(0, index);

        using WorkStealingPool noSlots = Pools.CreateWithoutGuests(1);
        for (int i = 0; i < 50; i++)
        {
            (int thread, int worker) = noSlots.InstallAsync(static () => (Environment.CurrentManagedThreadId, WorkStealingPool.CurrentWorkerIndex)).AsTask().Result;
            Assert.NotEqual(caller, thread);
            Assert.Equal(0, worker);
        }
    });

    [Fact]
    public void Continuation_RunsOnADotNetThreadPoolThread_NeverOnAWorker() => RunAsync(async () =>
    {
        // No guest slot: the work goes to the worker, and each body waits for the await to suspend.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1);
        var workers = new ConcurrentDictionary<int, bool>();
        for (int i = 0; i < 300; i++)
        {
            // Every await suspends (a fast call may otherwise be complete when awaited, and the
            // caller would go on synchronously on its own thread, which is not what is checked here).
            var registered = new Gate("the continuation to be registered");
            await new SuspendingAwait<bool>(
                pool.InstallAsync((workers, registered), static s =>
                {
                    s.registered.Wait();
                    return s.workers[Environment.CurrentManagedThreadId] = true;
                }),
                registered);
            Assert.Null(WorkStealingPool.Current);
            Assert.Equal(-1, WorkStealingPool.CurrentWorkerIndex);
            Assert.True(Thread.CurrentThread.IsThreadPoolThread, "the continuation runs on the .NET thread pool");
            Assert.False(workers.ContainsKey(Environment.CurrentManagedThreadId), "the continuation ran on a pool worker");
        }

        Assert.Single(workers);
    });

    [Fact]
    public void Continuation_IsPostedToTheCapturedSynchronizationContext_UnlessConfigureAwaitFalse() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var context = new SingleThreadContext();
        (int postsBefore, int contextThread, bool onContextAfter, bool offContextAfterFalse, int postsAfterFirst) = context.Run(async () =>
        {
            // Each body waits for a gate that the context's own thread opens once this method has
            // yielded it, that is once the await has suspended: a fast call found complete at the
            // await would go on synchronously and post nothing.
            var first = new Gate("the first await to suspend");
            context.Post(static g => ((Gate)g!).Signal(), first);
            int before = context.Posts;
            await pool.InstallAsync(first, static g => g.Wait());
            bool onContext = SynchronizationContext.Current == context && Environment.CurrentManagedThreadId == context.ThreadId;
            int posts = context.Posts;

            var second = new Gate("the second await to suspend");
            context.Post(static g => ((Gate)g!).Signal(), second);
            await pool.InstallAsync(second, static g => g.Wait()).ConfigureAwait(false);
            bool offContext = SynchronizationContext.Current is null && Environment.CurrentManagedThreadId != context.ThreadId;
            Assert.Equal(posts + 1, context.Posts);   // the gate's post only, no continuation
            return (before, context.ThreadId, onContext, offContext, posts);
        });
        Assert.True(onContextAfter, "after a plain await the continuation runs on the captured context");
        Assert.True(offContextAfterFalse, "after ConfigureAwait(false) it does not");
        Assert.Equal(postsBefore + 1, postsAfterFirst);
        Assert.NotEqual(0, contextThread);
    });

    [Fact]
    public void Continuation_RunsOnTheCapturedTaskScheduler() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var pair = new ConcurrentExclusiveSchedulerPair();
        TaskScheduler exclusive = pair.ExclusiveScheduler;
        TaskScheduler after = await Task.Factory.StartNew(
            async () =>
            {
                Assert.Same(exclusive, TaskScheduler.Current);
                await pool.InstallAsync(static () => 1);
                return TaskScheduler.Current;
            },
            CancellationToken.None,
            TaskCreationOptions.None,
            exclusive).Unwrap();
        Assert.Same(exclusive, after);
        pair.Complete();
    });

    [Fact]
    public void Exception_IsRethrownAsItself_WithItsOriginalStack_InEveryForm() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var error = new TestFailureException("action");
        TestFailureException thrown = await Assert.ThrowsAsync<TestFailureException>(async () => await pool.InstallAsync(error, static e => Throw.ThrowingHalfA(e)));
        Assert.Same(error, thrown);
        Assert.Contains(nameof(Throw.ThrowingHalfA), thrown.StackTrace, StringComparison.Ordinal);

        var funcError = new TestFailureException("func");
        Assert.Same(funcError, await Assert.ThrowsAsync<TestFailureException>(async () => await pool.InstallAsync(() => Throw.ThrowingFunction<int>(funcError))));

        var workError = new TestFailureException("work");
        TestFailureException fromWork = await Assert.ThrowsAsync<TestFailureException>(async () => await pool.InstallAsync(new ThrowingWork(workError)));
        Assert.Same(workError, fromWork);
        Assert.Contains(nameof(Throw.ThrowingHalfA), fromWork.StackTrace, StringComparison.Ordinal);

        // The pool and the pooled sources keep working.
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i, await pool.InstallAsync(i, static s => s));
        }
    });

    [Fact]
    public void CancelledBeforeTheCall_SkipsTheWork_AndThrowsWithThatToken() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int[] runs = new int[1];
        ValueTask pending = pool.InstallAsync(runs, static r => { r[0]++; }, cts.Token);
        Assert.True(pending.IsCanceled);
        OperationCanceledException e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.Equal(cts.Token, e.CancellationToken);
        OperationCanceledException e2 = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.InstallAsync(static () => 1, cts.Token));
        Assert.Equal(cts.Token, e2.CancellationToken);
        Assert.Equal(0, runs[0]);
    });

    [Fact]
    public void CancelledWhileQueued_SkipsTheWork_AndThrowsWithThatToken() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1);
        var started = new Gate("the only worker to be held");
        var release = new Gate("the release of the only worker");
        pool.Spawn(() =>
        {
            started.Signal();
            release.Wait();
        });
        started.Wait();

        using var cts = new CancellationTokenSource();
        int[] runs = new int[1];
        ValueTask<int> queued = pool.InstallAsync(runs, static r => ++r[0], cts.Token);
        Assert.False(queued.IsCompleted);
        cts.Cancel();
        release.Signal();
        OperationCanceledException e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Within(queued, "the cancelled call"));
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Equal(0, runs[0]);
    });

    [Fact]
    public void CancellationRacingTheStart_EitherRunsOnceAndSucceeds_OrSkipsAndThrows() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int ran = 0;
        int cancelled = 0;
        for (int i = 0; i < 2_000; i++)
        {
            using var cts = new CancellationTokenSource();
            int[] runs = new int[1];
            ValueTask call = pool.InstallAsync(runs, static r => { Interlocked.Increment(ref r[0]); }, cts.Token);
            if ((i & 1) == 0)
            {
                cts.Cancel();
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(static c => c.Cancel(), cts, preferLocal: false);
            }

            try
            {
                await call;
                Assert.Equal(1, Volatile.Read(ref runs[0]));
                ran++;
            }
            catch (OperationCanceledException e)
            {
                Assert.Equal(cts.Token, e.CancellationToken);
                Assert.Equal(0, Volatile.Read(ref runs[0]));
                cancelled++;
            }

            // The source outlives the canceller that races the call.
            Bounded.Until(() => cts.IsCancellationRequested, "the canceller");
        }

        Assert.Equal(2_000, ran + cancelled);
    });

    [Fact]
    public void AwaitedTwice_Throws_AndThePooledSourceStaysIntact() => RunAsync(async () =>
    {
        // No guest slot: a pooled source backs the ValueTask (the inline route returns a completed one).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        ValueTask<int> once = pool.InstallAsync(static () => 7);
        Assert.Equal(7, await once);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await once);
        Assert.Throws<InvalidOperationException>(() => once.GetAwaiter().GetResult());

        // The next calls reuse the source (the store is per body type): the stale ValueTask
        // must neither read nor release them.
        for (int i = 0; i < 200; i++)
        {
            ValueTask<int> next = pool.InstallAsync(() => i);
            Assert.Throws<InvalidOperationException>(() => once.GetAwaiter().GetResult());
            Assert.Equal(i, await next);
        }
    });

    [Fact]
    public void AsTaskTwice_TheSecondThrows_TheFirstCompletes() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1);
        var release = new Gate("the release of the call");
        ValueTask<int> call = pool.InstallAsync(release, static r =>
        {
            r.Wait();
            return 5;
        });
        Task<int> first = call.AsTask();
        Assert.Throws<InvalidOperationException>(() => { _ = call.AsTask(); });
        release.Signal();
        Assert.Equal(5, await first);
        Assert.Equal(6, await pool.InstallAsync(static () => 6));
    });

    [Fact]
    public void ResultReadBeforeCompletion_Throws_ThenTheAwaitStillWorks() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1);
        var release = new Gate("the release of the call");
        ValueTask<int> call = pool.InstallAsync(release, static r =>
        {
            r.Wait();
            return 9;
        });
        Assert.Throws<InvalidOperationException>(() => call.GetAwaiter().GetResult());
        Assert.Throws<InvalidOperationException>(() => _ = call.Result);
        release.Signal();
        Assert.Equal(9, await Within(call, "the call read too early"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await call);
    });

    [Fact]
    public void RacingResultReads_ExactlyOneWins_AndNoPooledSourceIsCorrupted() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        const int Racers = 4;
        const int Rounds = 300;
        ValueTask<int> call = default;
        int expected = 0;
        int wins = 0;
        int refused = 0;

        // The same racer threads run every round (no thread started per round); racer 0 makes the
        // call and checks the round. The barrier's phases order the writes of one step before
        // the reads of the next.
        using var barrier = new Barrier(Racers);
        Bounded.Threads(Racers, racer =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                if (racer == 0)
                {
                    call = pool.InstallAsync(round, static r => r);
                    Bounded.Until(() => call.IsCompleted, "the call to complete");
                    (expected, wins, refused) = (round, 0, 0);
                }

                Assert.True(barrier.SignalAndWait(Bounded.WaitLimit), "the racers to line up");
                try
                {
                    Assert.Equal(expected, call.GetAwaiter().GetResult());
                    Interlocked.Increment(ref wins);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }

                Assert.True(barrier.SignalAndWait(Bounded.WaitLimit), "the racers to finish the round");
                if (racer == 0)
                {
                    Assert.Equal((1, Racers - 1), (wins, refused));
                }
            }
        });
    });

    [Fact]
    public void ConcurrentCallers_EachGetTheirOwnResult() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        const int Callers = 8;
        const int Calls = 500;
        long[] sums = new long[Callers];
        Bounded.Threads(Callers, c => Task.Run(async () =>
        {
            for (int i = 0; i < Calls; i++)
            {
                sums[c] += await pool.InstallAsync((c, i), static s => (long)(s.c * 1_000_000) + s.i);
            }
        }).GetAwaiter().GetResult());
        for (int c = 0; c < Callers; c++)
        {
            Assert.Equal((c * 1_000_000L * Calls) + ((long)Calls * (Calls - 1) / 2), sums[c]);
        }
    });

    [Fact]
    public void FromAWorkerOfThePool_TheWorkIsQueued_NotRunInline() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        ValueTask<int> fromWorker = default;
        int callerIndex = -2;
        Sides.OnWorker(pool, () =>
        {
            callerIndex = WorkStealingPool.CurrentWorkerIndex;
            fromWorker = pool.InstallAsync(static () => WorkStealingPool.CurrentWorkerIndex);
        });
        int ranOn = await Within(fromWorker, "an InstallAsync started on a worker");
        Assert.InRange(ranOn, 0, pool.ThreadCount - 1);
        Assert.InRange(callerIndex, 0, pool.ThreadCount - 1);
    });

    /// <summary>
    /// Sync over async on the only worker (issue 22, defect 2): the job lies on the worker's own
    /// deque and nobody else could take it. Blocking on it completes (it hung), in every form.
    /// </summary>
    [Fact]
    public void SyncOverAsync_OnTheOnlyWorker_Completes_ItNeverHangs() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        var results = new List<int>();
        Sides.OnWorker(pool, () =>
        {
            Assert.Equal(0, WorkStealingPool.CurrentWorkerIndex);
            results.Add(pool.InstallAsync(static () => 41).AsTask().Result);
            Task plain = pool.InstallAsync(static () => { }).AsTask();
            Assert.True(plain.Wait(Bounded.WaitLimit), "Wait on the worker's own InstallAsync hung");
            results.Add(pool.InstallAsync(2, static s => s * 21).AsTask().GetAwaiter().GetResult());
            Task scope = pool.ScopeAsync(static s => s.Spawn(static _ => { })).AsTask();
            Assert.True(scope.Wait(Bounded.WaitLimit), "Wait on the worker's own ScopeAsync hung");
            int[] squares = new int[64];
            Task loop = pool.ForAsync(0, squares.Length, squares, static (q, i) => q[i] = i * i).AsTask();
            Assert.True(loop.Wait(Bounded.WaitLimit), "Wait on the worker's own ForAsync hung");
            results.Add(squares.Sum());

            // Reading a pending ValueTask's result is misuse, and throws at once.
            ValueTask<int> pending = pool.InstallAsync(static () => 1);
            Assert.Throws<InvalidOperationException>(() => pending.GetAwaiter().GetResult());
            results.Add(pending.AsTask().Result);
        });

        Assert.Equal([41, 42, Enumerable.Range(0, 64).Sum(i => i * i), 1], results);
    });

    [Fact]
    public void Dispose_WithAwaitsInFlight_EachCompletesOrFaultsWithObjectDisposed_NoneHangs() => RunAsync(async () =>
    {
        for (int round = 0; round < 5; round++)
        {
            WorkStealingPool pool = Pools.Create(2, o => o.InjectorCapacity = 16);
            const int Calls = 400;
            int[] runs = new int[Calls];
            var calls = new Task[Calls];
            var go = new Gate("the starter");
            var starter = new Thread(() =>
            {
                go.Signal();
                for (int i = 0; i < Calls; i++)
                {
                    calls[i] = pool.InstallAsync((runs, i), static s =>
                    {
                        Interlocked.Increment(ref s.runs[s.i]);
                        Thread.SpinWait(200);
                    }).AsTask();
                }
            });
            starter.Start();
            go.Wait();
            pool.Dispose();
            Assert.True(starter.Join(Bounded.WaitLimit), "the starter hung");

            int completed = 0;
            int disposed = 0;
            for (int i = 0; i < Calls; i++)
            {
                try
                {
                    await Within(new ValueTask(calls[i]), $"call {i} after Dispose");
                    Assert.Equal(1, runs[i]);
                    completed++;
                }
                catch (ObjectDisposedException)
                {
                    Assert.Equal(0, runs[i]);
                    disposed++;
                }
            }

            Assert.Equal(Calls, completed + disposed);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.InstallAsync(static () => { }));
        }
    });

    /// <summary>
    /// Awaits a call whose body waits for <c>registered</c>, and opens that gate only once the
    /// continuation is registered with the call's ValueTask: the await always suspends, through the
    /// same <c>IValueTaskSource.OnCompleted</c> path as a plain await.
    /// </summary>
    private readonly struct SuspendingAwait<T>(ValueTask<T> task, Gate registered) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => false;

        public SuspendingAwait<T> GetAwaiter() => this;

        public void OnCompleted(Action continuation)
        {
            task.GetAwaiter().OnCompleted(continuation);
            registered.Signal();
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            task.GetAwaiter().UnsafeOnCompleted(continuation);
            registered.Signal();
        }

        public T GetResult() => task.GetAwaiter().GetResult();
    }

    /// <summary>A synchronization context with one thread of its own that counts what is posted to it.</summary>
    private sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];
        private readonly Thread _thread;
        private int _posts;

        public SingleThreadContext()
        {
            _thread = new Thread(() =>
            {
                SetSynchronizationContext(this);
                foreach ((SendOrPostCallback callback, object? state) in _queue.GetConsumingEnumerable())
                {
                    callback(state);
                }
            })
            {
                IsBackground = true,
                Name = "test sync context",
            };
            _thread.Start();
        }

        public int Posts => Volatile.Read(ref _posts);

        public int ThreadId => _thread.ManagedThreadId;

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            _queue.Add((d, state));
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

        /// <summary>Starts <paramref name="body"/> on the context's thread and waits (bounded) for its result.</summary>
        public T Run<T>(Func<Task<T>> body)
        {
            var result = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Add((_ => result.SetResult(body()), null));
            Task<T> task = result.Task.GetAwaiter().GetResult();
            Assert.True(task.Wait(Bounded.WaitLimit), "the async body on the context hung");
            return task.GetAwaiter().GetResult();
        }

        public void Dispose()
        {
            _queue.CompleteAdding();
            _thread.Join(Bounded.WaitLimit);
            _queue.Dispose();
        }
    }
}
