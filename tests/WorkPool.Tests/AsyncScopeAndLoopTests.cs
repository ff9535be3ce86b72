// CA2012: the empty-range checks look at a ValueTask without awaiting it.
#pragma warning disable CA2012

namespace WorkPool.Tests;

/// <summary>ScopeAsync and ForAsync: every form, results, exceptions and cancellation, awaited from outside the pool.</summary>
public class AsyncScopeAndLoopTests
{
    [Fact]
    public void ScopeAsync_EveryForm_WaitsForEverySpawnedJob() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        long[] total = new long[1];
        await pool.ScopeAsync(scope =>
        {
            for (int i = 1; i <= 100; i++)
            {
                int item = i;
                scope.Spawn(_ => Interlocked.Add(ref total[0], item));
            }
        });
        Assert.Equal(5050L, total[0]);

        total[0] = 0;
        await pool.ScopeAsync(total, static (t, scope) =>
        {
            for (int i = 1; i <= 100; i++)
            {
                scope.Spawn((t, i), static (s, _) => Interlocked.Add(ref s.t[0], s.i));
            }
        });
        Assert.Equal(5050L, total[0]);

        SpawningBody body = await pool.ScopeAsync(new SpawningBody(new long[1], 100));
        Assert.Equal(5050L, body.Total[0]);
        Assert.Equal(1, body.Ran);
    });

    [Fact]
    public void ScopeAsync_Exceptions_AsScope() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var one = new TestFailureException("one");
        // As Scope: always an AggregateException of every failed part (docs/exceptions.md).
        AggregateException single = await Assert.ThrowsAsync<AggregateException>(async () => await pool.ScopeAsync(one, static (e, scope) => scope.Spawn(e, static (e, _) => throw e)));
        Assert.Same(one, Assert.Single(single.InnerExceptions));
        AggregateException both = await Assert.ThrowsAsync<AggregateException>(async () => await pool.ScopeAsync(scope =>
        {
            scope.Spawn(static _ => throw new TestFailureException("a"));
            throw new TestFailureException("b");
        }));
        Assert.Equal(2, both.InnerExceptions.Count);
    });

    [Fact]
    public void ForAsync_EveryForm_RunsEveryIndexOnce() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        const int N = 10_000;
        int[] hits = new int[N];
        await pool.ForAsync(0, N, i => Interlocked.Increment(ref hits[i]));
        await pool.ForAsync(0, N, hits, static (h, i) => Interlocked.Increment(ref h[i]));
        MarkBody body = await pool.ForAsync(0, N, new MarkBody(hits), minChunkLength: 8);
        Assert.Same(hits, body.Hits);
        Assert.All(hits, static h => Assert.Equal(3, h));

        Assert.True(pool.ForAsync(5, 5, static _ => { }).IsCompletedSuccessfully);
        ValueTask<MarkBody> empty = pool.ForAsync(5, 5, new MarkBody(hits));
        Assert.True(empty.IsCompletedSuccessfully);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.ForAsync(0, 1, new MarkBody(hits), minChunkLength: 0));
        Assert.Throws<ArgumentNullException>(() => pool.ForAsync(0, 1, null!));
    });

    [Fact]
    public void ForAsync_ExceptionAndCancellation_AsFor() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var error = new TestFailureException("at 500");
        // As For: always an AggregateException of every failed part (docs/exceptions.md).
        AggregateException failed = await Assert.ThrowsAsync<AggregateException>(async () => await pool.ForAsync(0, 1_000, error, static (e, i) =>
        {
            if (i == 500)
            {
                throw e;
            }
        }));
        Assert.Same(error, Assert.Single(failed.InnerExceptions));

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        OperationCanceledException before = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.ForAsync(0, 10, static _ => { }, cts.Token));
        Assert.Equal(cts.Token, before.CancellationToken);

        using var midway = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.ForAsync(0, 1_000_000, midway, static (c, i) =>
        {
            if (i == 1000)
            {
                c.Cancel();
            }
        }, midway.Token));
    });

    private struct SpawningBody(long[] total, int count) : IScopeWork
    {
        public readonly long[] Total = total;
        public int Ran;

        public void Run(Scope scope)
        {
            Ran++;
            for (int i = 1; i <= count; i++)
            {
                scope.Spawn((Total, i), static (s, _) => Interlocked.Add(ref s.Total[0], s.i));
            }
        }
    }

    private readonly struct MarkBody(int[] hits) : IForBody
    {
        public readonly int[] Hits = hits;

        public void Invoke(int index) => Interlocked.Increment(ref Hits[index]);
    }
}
