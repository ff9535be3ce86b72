using System.Reflection;
using System.Runtime.CompilerServices;

// CA2012: a ValueTask is held on purpose until its work has completed, then awaited once.
#pragma warning disable CA2012

namespace WorkPool.Tests;

/// <summary>
/// Contracts at the edges of the engine: where code after an await of a completed ValueTask
/// runs, an interrupt on the exception path, work spawned by the worker-exit hook, and Dispose
/// called from work that the pool's own participants wait for.
/// </summary>
public class EdgeContractTests
{
    /// <summary>
    /// On a worker, an InstallAsync whose ValueTask has completed before the await: the code after
    /// the await still runs on a .NET thread-pool thread, not on the worker (docs/async.md).
    /// </summary>
    [Fact]
    public void AwaitOnAWorker_OfAnAlreadyCompletedInstallAsync_ContinuesOffTheWorker() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Task<(int WorkerIndex, bool ThreadPool)>? afterAwait = null;
        Sides.OnWorker(pool, () =>
        {
            ValueTask<int> call = pool.InstallAsync(static () => 42);
            // Seen from a thread outside the pool, the ValueTask reports its true status.
            var completed = new Gate("the InstallAsync to complete");
            var watcher = new Thread(() =>
            {
                Bounded.Until(() => call.IsCompleted, "the InstallAsync to complete");
                completed.Signal();
            })
            { IsBackground = true };
            watcher.Start();
            completed.Wait();
            afterAwait = ContinueAfter(call);
        });

        (int index, bool threadPool) = await afterAwait!.WaitAsync(Bounded.WaitLimit);
        Assert.Equal(-1, index);
        Assert.True(threadPool, "the code after the await ran on neither a pool worker nor the .NET thread pool");
    });

    private static async Task<(int WorkerIndex, bool ThreadPool)> ContinueAfter(ValueTask<int> call)
    {
        Assert.Equal(42, await call);
        return (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread.IsThreadPoolThread);
    }

    /// <summary>
    /// A Join whose both halves fail, on a thread with an interrupt pending, while the lock of
    /// the table that marks the pool's own aggregates is taken: the Join throws its aggregate of
    /// both (not a <see cref="ThreadInterruptedException"/>), and the interrupt stays pending.
    /// </summary>
    [Fact]
    public void BothHalvesFail_WithAnInterruptPending_AndTheMarkingLockTaken_ThrowsTheAggregate() => Bounded.Run(() =>
    {
        object table = typeof(Failures).GetField("s_made", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        object tableLock = table.GetType().GetField("_lock", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(table)!;
        using WorkStealingPool pool = Pools.Create(1);
        var held = new Gate("the marking lock to be taken");
        var release = new Gate("the test to release the marking lock");
        var holder = new Thread(() =>
        {
            lock (tableLock)
            {
                held.Signal();
                release.Wait();
            }
        })
        { IsBackground = true };
        holder.Start();
        held.Wait();

        Exception? thrown = null;
        bool pendingAfter = false;
        var caller = new Thread(() =>
        {
            Thread.CurrentThread.Interrupt();
            try
            {
                pool.Join(static () => throw new InvalidOperationException("a"), static () => throw new InvalidOperationException("b"));
            }
#pragma warning disable CA1031 // Recorded for the assertions below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                thrown = e;
            }

            pendingAfter = InterruptTests.InterruptPending();
        })
        { IsBackground = true };
        caller.Start();
        // The caller blocks on the taken lock (a contended Enter is a wait), then it is released.
        Bounded.Until(() => !caller.IsAlive || (caller.ThreadState & ThreadState.WaitSleepJoin) != 0, "the caller to wait for the marking lock");
        release.Signal();
        Assert.True(holder.Join(Bounded.WaitLimit));
        Assert.True(caller.Join(Bounded.WaitLimit), "the failing Join hung");
        AggregateException all = Assert.IsType<AggregateException>(thrown);
        Assert.Equal(["a", "b"], all.InnerExceptions.Select(e => e.Message).Order());
        Assert.True(pendingAfter, "the interrupt was lost");
    });

    /// <summary>Spawns and async calls made by the worker-exit hook run before their worker ends (they landed on its deque after its last look and were lost).</summary>
    [Fact]
    public void WorkSpawnedByOnWorkerExit_Runs() => Bounded.Run(() =>
    {
        const int Threads = 3;
        var ran = new StrongBox<int>();
        var asyncRan = new StrongBox<int>();
        WorkStealingPool? self = null;
        var pool = Pools.Create(Threads, o => o.OnWorkerExit = index =>
        {
            self!.Spawn(ran, static r => Interlocked.Increment(ref r.Value));
            _ = self.InstallAsync(asyncRan, static r => Interlocked.Increment(ref r.Value)).AsTask();
        });
        self = pool;
        pool.Install(static () => { });
        pool.Dispose();
        Assert.Equal(Threads, ran.Value);
        Assert.Equal(Threads, asyncRan.Value);
    });

    /// <summary>
    /// A participant of pool A (a guest call or a worker) installs into pool B, whose work
    /// disposes A: Dispose would wait for that participant, which waits for the work. It is
    /// refused with InvalidOperationException (it hung), also through a third pool in between.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void DisposeFromWorkThatTheParticipantsWaitFor_IsRefused(bool fromWorker, bool throughAThirdPool) => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(1, test: "dispose-awaited-a");
        using WorkStealingPool b = Pools.Create(1, test: "dispose-awaited-b");
        using WorkStealingPool c = Pools.Create(1, test: "dispose-awaited-c");
        Exception? refused = null;
        Sides.On(a, fromWorker, () => a.Install(() =>
        {
            Assert.Same(a, WorkStealingPool.Current);
            refused = Record.Exception(() => b.Install(() =>
            {
                if (throughAThirdPool)
                {
                    c.Install(a.Dispose);
                }
                else
                {
                    a.Dispose();
                }
            }));
        }));

        Assert.IsType<InvalidOperationException>(refused);
        Assert.False(a.IsDisposed);
        Assert.Equal(7, a.Install(static () => 7));
    });
}
