using System.Collections.Concurrent;
using static WorkPool.Tests.InstallAsyncTests;

namespace WorkPool.Tests;

/// <summary>
/// Loops whose bodies await (<c>ForAsync</c> and <c>ForEachAsync</c> with
/// <c>Func&lt;T, CancellationToken, ValueTask&gt;</c> bodies, issue 22 defect 1): the ValueTask
/// completes only after every body's ValueTask has, each iteration runs exactly once, bodies start
/// on the workers and come back to them after an await, and failures, cancellation and disposal
/// end the loop as <c>Parallel.ForAsync</c> does.
/// </summary>
public class AsyncBodyLoopTests
{
    private const int Count = 200;

    [Fact]
    public void ForAsync_EveryBodyFinishes_BeforeTheLoopCompletes_ExactlyOnce_OnTheWorkers() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int[] runs = new int[Count];
        var startedOn = new ConcurrentBag<int>();
        var resumedOn = new ConcurrentBag<int>();
        await Within(pool.ForAsync(0, Count, async (i, ct) =>
        {
            startedOn.Add(WorkStealingPool.CurrentWorkerIndex);
            await Task.Yield();
            if (i % 7 == 0)
            {
                await Task.Yield();
            }

            resumedOn.Add(WorkStealingPool.CurrentWorkerIndex);
            Interlocked.Increment(ref runs[i]);
        }), "ForAsync with an async body");

        // Every body has finished when the loop's ValueTask completes: none is still running.
        Assert.All(runs, r => Assert.Equal(1, r));
        Assert.All(startedOn, index => Assert.InRange(index, 0, pool.ThreadCount - 1));
        Assert.Equal(Count, resumedOn.Count);
        Assert.All(resumedOn, index => Assert.InRange(index, 0, pool.ThreadCount - 1));
    });

    [Fact]
    public void ForAsync_Long_And_ForEachAsync_OverBothSequenceKinds_RunEveryItemOnce() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long[] runs = new long[Count];
        const long Offset = 5_000_000_000;
        await Within(pool.ForAsync(Offset, Offset + Count, async (i, ct) =>
        {
            await Task.Yield();
            Interlocked.Increment(ref runs[i - Offset]);
        }), "ForAsync over longs");

        await Within(pool.ForEachAsync(Enumerable.Range(0, Count), async (i, ct) =>
        {
            await Task.Yield();
            Interlocked.Add(ref runs[i], 10);
        }), "ForEachAsync over an IEnumerable");

        await Within(pool.ForEachAsync(Items(Count), async (i, ct) =>
        {
            await Task.Yield();
            Interlocked.Add(ref runs[i], 100);
        }), "ForEachAsync over an IAsyncEnumerable");

        Assert.All(runs, r => Assert.Equal(111, r));
    });

    [Fact]
    public void AFailingBody_FaultsTheLoop_WithItsException_AfterTheOthersEnded() => RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int running = 0;
        var error = new InvalidOperationException("body 7");
        Task loop = pool.ForAsync(0, Count, async (i, ct) =>
        {
            Interlocked.Increment(ref running);
            try
            {
                await Task.Yield();
                if (i == 7)
                {
                    throw error;
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }).AsTask();
        // WaitAsync bounds the wait: a hang fails with a TimeoutException.
        Assert.Same(error, await Assert.ThrowsAsync<InvalidOperationException>(() => loop.WaitAsync(Bounded.WaitLimit)));
        Assert.Equal(0, Volatile.Read(ref running));
    });

    [Fact]
    public void CanceledBeforeTheCall_NothingRuns_AndDisposed_Faults() => RunAsync(async () =>
    {
        WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        Func<int, CancellationToken, ValueTask> body = (i, ct) =>
        {
            Interlocked.Increment(ref ran);
            return ValueTask.CompletedTask;
        };
        OperationCanceledException canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.ForAsync(0, Count, body, cts.Token).AsTask());
        Assert.Equal(cts.Token, canceled.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.ForEachAsync(Enumerable.Range(0, Count), body, cts.Token).AsTask());
        Assert.Equal(0, ran);
        // Thrown by the call itself, not by the ValueTask.
        Assert.Throws<ArgumentNullException>(() => { _ = pool.ForAsync(0, 1, (Func<int, CancellationToken, ValueTask>)null!).AsTask(); });
        Assert.Throws<ArgumentNullException>(() => { _ = pool.ForEachAsync((IEnumerable<int>)null!, body).AsTask(); });

        pool.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.ForAsync(0, Count, body).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.ForEachAsync(Items(3), body).AsTask());
        Assert.Equal(0, ran);
    });

    private static async IAsyncEnumerable<int> Items(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 16 == 0)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }
}
