using System.Collections.Concurrent;

namespace WorkPool.Tests;

/// <summary>
/// Parallel loops: every index exactly once for empty, small, large and edge ranges (near the
/// ends of int and long), from inside a worker and from outside, range bodies, nesting,
/// exceptions, cancellation and argument checks.
/// </summary>
public class ForTests
{
    public static TheoryData<bool, int, int> IntRanges()
    {
        var data = new TheoryData<bool, int, int>();
        (int From, int To)[] ranges =
        [
            (0, 0), (5, 3), (0, 1), (0, 7), (-50, 51), (0, 10_000),
            (int.MaxValue - 5, int.MaxValue), (int.MinValue, int.MinValue + 5), (int.MaxValue, int.MinValue),
        ];
        foreach (bool fromWorker in new[] { false, true })
        {
            foreach ((int from, int to) in ranges)
            {
                data.Add(fromWorker, from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IntRanges))]
    public void IntForms_VisitEveryIndexOnce(bool fromWorker, int from, int to) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int length = (int)Math.Max(0, (long)to - from);
        Sides.On(pool, fromWorker, () =>
        {
            var counts = new int[length];
            pool.For(from, to, i => Interlocked.Increment(ref counts[(long)i - from]));
            AssertAllOnce(counts, "For(Action<int>)");

            counts = new int[length];
            pool.For(from, to, (counts, from), static (s, i) => Interlocked.Increment(ref s.counts[(long)i - s.from]));
            AssertAllOnce(counts, "For(state, Action<TState, int>)");

            counts = new int[length];
            var body = new CountBody(counts, from);
            pool.For(from, to, ref body);
            AssertAllOnce(counts, "For(ref IForBody)");
            Assert.Equal(length, body.Hits);

            counts = new int[length];
            var range = new CountRange(counts, from);
            pool.ForRange(from, to, ref range);
            AssertAllOnce(counts, "ForRange(ref IForRangeBody)");
            Assert.Equal(length, range.Hits);

            counts = new int[length];
            var chunked = new CountRange(counts, from);
            pool.ForRange(from, to, ref chunked, minChunkLength: 3);
            AssertAllOnce(counts, "ForRange with minChunkLength 3");
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LongIndexForms_NearTheEnds_VisitEveryIndexOnce(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            foreach (long from in new[] { long.MaxValue - 6, long.MinValue, -3L, (long)int.MaxValue - 2 })
            {
                long to = from + 6;
                var counts = new int[6];
                pool.For(from, to, i => Interlocked.Increment(ref counts[i - from]));
                AssertAllOnce(counts, $"For(long, Action<long>) from {from}");

                counts = new int[6];
                pool.For(from, to, (counts, from), static (s, i) => Interlocked.Increment(ref s.counts[i - s.from]));
                AssertAllOnce(counts, $"For(long, state) from {from}");

                counts = new int[6];
                var body = new LongCountBody(counts, from);
                pool.For(from, to, ref body);
                AssertAllOnce(counts, $"For(long, ref ILongForBody) from {from}");
                Assert.Equal(6, body.Hits);
            }
        });
    });

    public static TheoryData<bool, long, long, long> LongRanges()
    {
        var data = new TheoryData<bool, long, long, long>();
        foreach (bool fromWorker in new[] { false, true })
        {
            data.Add(fromWorker, long.MaxValue - 3_000_000_000, long.MaxValue, 1 << 20);
            data.Add(fromWorker, long.MinValue, long.MinValue + 3_000_000_001, 1 << 20);
            data.Add(fromWorker, -1_500_000_000, 1_500_000_000, 1 << 20);
            data.Add(fromWorker, long.MinValue, long.MaxValue, 1L << 56);
            data.Add(fromWorker, 0, 1000, 1);
            data.Add(fromWorker, 0, 1000, 5000);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LongRanges))]
    public void LongRangeBody_CoversTheRangeExactlyOnce(bool fromWorker, long from, long to, long minChunk) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var body = new CollectRange(new ConcurrentQueue<(long, long)>());
            pool.ForRange(from, to, ref body, minChunk);
            (long Start, long End)[] chunks = [.. body.Chunks.OrderBy(c => c.Item1)];
            Assert.NotEmpty(chunks);
            Assert.Equal(from, chunks[0].Start);
            Assert.Equal(to, chunks[^1].End);
            ulong total = unchecked((ulong)(to - from));
            for (int i = 0; i < chunks.Length; i++)
            {
                (long start, long end) = chunks[i];
                Assert.True(start < end, $"Empty or reversed chunk [{start}, {end}).");
                if (i > 0)
                {
                    Assert.Equal(chunks[i - 1].End, start);
                }

                ulong length = unchecked((ulong)(end - start));
                if (total >= (ulong)minChunk)
                {
                    // At least the minimum; on a worker (a tree of halves) also less than twice it.
                    // From outside, the caller's pieces from the cursor may be longer.
                    Assert.InRange(length, (ulong)minChunk, fromWorker ? (2 * (ulong)minChunk) - 1 : ulong.MaxValue);
                }
            }
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NestedFor_Completes(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var counts = new int[32 * 200];
            pool.For(0, 32, (pool, counts), static (s, i) =>
                s.pool.For(0, 200, (s.counts, i), static (t, j) => Interlocked.Increment(ref t.counts[(t.i * 200) + j])));
            AssertAllOnce(counts, "nested For");
        });
    });

    [Fact]
    public void ForkJoinFor_InsideAWorker_UsesThatPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var pools = new ConcurrentBag<WorkStealingPool?>();
        pool.Install(() => ForkJoin.For(0, 100, i => pools.Add(WorkStealingPool.Current)));
        Assert.Equal(100, pools.Count);
        Assert.All(pools, p => Assert.Same(pool, p));
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void For_RunsOnMoreThanOneThread(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            // Handing pieces to an idle worker is a race with the loop; a few tries make it near certain.
            for (int attempt = 0; attempt < 50; attempt++)
            {
                // One slot per participant: the workers, then the guest slots (the calling thread
                // outside the pool runs its pieces as a guest).
                var seen = new int[pool.ParticipantCount];
                pool.For(0, 256, seen, static (s, i) =>
                {
                    Interlocked.Exchange(ref s[WorkStealingPool.CurrentWorkerIndex], 1);
                    Thread.SpinWait(2_000);
                });
                if (seen.Sum() >= 2)
                {
                    return;
                }
            }

            Assert.Fail("Every loop ran on a single thread.");
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneThrowingIteration_PropagatesAsItself_AndThePoolKeepsWorking(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var error = Assert.Throws<InvalidOperationException>(() => pool.For(0, 1000, static i =>
            {
                if (i == 637)
                {
                    throw new InvalidOperationException("637");
                }
            }));
            Assert.Equal("637", error.Message);

            var counts = new int[1000];
            pool.For(0, 1000, counts, static (c, i) => Interlocked.Increment(ref c[i]));
            AssertAllOnce(counts, "loop after a failed loop");
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SeveralThrowingIterations_PropagateAllAsThemselvesOrAggregated(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            Exception error = Assert.ThrowsAny<Exception>(() => pool.For(0, 1000, static i =>
            {
                if (i % 100 == 0)
                {
                    throw new InvalidOperationException(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }));
            if (error is AggregateException aggregate)
            {
                Assert.All(aggregate.Flatten().InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));
            }
            else
            {
                Assert.IsType<InvalidOperationException>(error);
            }

            Assert.Equal(45, pool.Install(static () => 45));
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cancellation_ThrowsOperationCanceled(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            var body = new CountBody(new int[10], 0);
            Assert.Throws<OperationCanceledException>(() => pool.For(0, 10, ref body, cancellationToken: cancelled.Token));
            Assert.Equal(0, body.Hits);

            using var midway = new CancellationTokenSource();
            var cancelling = new CancellingBody(midway, cancelAt: 100);
            Assert.Throws<OperationCanceledException>(() => pool.For(0, 1_000_000, ref cancelling, cancellationToken: midway.Token));
            Assert.InRange(cancelling.Hits, 1, 999_999);

            var range = new CountRange(new int[10], 0);
            Assert.Throws<OperationCanceledException>(() => pool.ForRange(0L, 10L, ref range, cancellationToken: cancelled.Token));
            Assert.Equal(0, range.Hits);

            // An uncancelled token changes nothing.
            var counts = new int[500];
            var normal = new CountBody(counts, 0);
            pool.For(0, 500, ref normal, cancellationToken: CancellationToken.None);
            AssertAllOnce(counts, "loop with an uncancelled token");
        });
    });

    [Fact]
    public void Arguments_AreChecked() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.For(0, 10, (Action<int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0L, 10L, (Action<long>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0, 10, 1, (Action<int, int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0L, 10L, 1, (Action<int, long>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(5, 0, (Action<int>)null!));
        var body = new CountBody(new int[10], 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.For(0, 10, ref body, minChunkLength: 0));
        var range = new CountRange(new int[10], 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.ForRange(0L, 10L, ref range, minChunkLength: -1));
    });

    private static void AssertAllOnce(int[] counts, string form)
    {
        for (int i = 0; i < counts.Length; i++)
        {
            Assert.True(counts[i] == 1, $"{form}: index offset {i} ran {counts[i]} times.");
        }
    }

    private struct CountBody(int[] counts, long from) : IForBody
    {
        public int Hits;

        public void Invoke(int index)
        {
            Interlocked.Increment(ref counts[index - from]);
            Interlocked.Increment(ref Hits);
        }
    }

    private struct LongCountBody(int[] counts, long from) : ILongForBody
    {
        public int Hits;

        public void Invoke(long index)
        {
            Interlocked.Increment(ref counts[index - from]);
            Interlocked.Increment(ref Hits);
        }
    }

    private struct CountRange(int[] counts, long from) : IForRangeBody
    {
        public int Hits;

        public void Invoke(long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                Interlocked.Increment(ref counts[i - from]);
                Interlocked.Increment(ref Hits);
            }
        }
    }

    private readonly struct CollectRange(ConcurrentQueue<(long, long)> chunks) : IForRangeBody
    {
        public ConcurrentQueue<(long, long)> Chunks => chunks;

        public void Invoke(long fromInclusive, long toExclusive) => chunks.Enqueue((fromInclusive, toExclusive));
    }

    private struct CancellingBody(CancellationTokenSource source, int cancelAt) : IForBody
    {
        public int Hits;

        public void Invoke(int index)
        {
            Interlocked.Increment(ref Hits);
            if (index == cancelAt)
            {
                source.Cancel();
            }
        }
    }
}
