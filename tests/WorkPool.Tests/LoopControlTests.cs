namespace WorkPool.Tests;

/// <summary>
/// Loops whose iterations stop or break them (<see cref="LoopControl"/>), and cancellation of
/// the delegate forms: what must run runs exactly once, what is reported is exact, and the pool
/// keeps working.
/// </summary>
public class LoopControlTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoRequest_CompletesEveryIteration(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var counts = new int[10_000];
            LoopResult result = pool.For(0, counts.Length, (i, control) =>
            {
                Assert.False(control.ShouldExitCurrentIteration);
                Interlocked.Increment(ref counts[i]);
            });
            Assert.Equal(new LoopResult(IsCompleted: true, LowestBreakIteration: null), result);
            Assert.All(counts, c => Assert.Equal(1, c));

            counts = new int[10_000];
            result = pool.For(0L, counts.Length, counts, static (c, i, control) => Interlocked.Increment(ref c[i]));
            Assert.True(result.IsCompleted);
            Assert.All(counts, c => Assert.Equal(1, c));

            Assert.True(pool.For(5, 5, static (_, control) => control.Stop()).IsCompleted);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Break_RunsEveryIterationBelowIt_AndReportsTheLowest(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            foreach (long from in new[] { 0L, long.MaxValue - 200_000 })
            {
                const int Length = 200_000;
                const int BreakAt = 5_000;
                var counts = new int[Length];
                LoopResult result = pool.For(from, from + Length, (counts, from), static (s, i, control) =>
                {
                    Interlocked.Increment(ref s.counts[i - s.from]);
                    if (i - s.from == BreakAt || i - s.from == BreakAt + 100)
                    {
                        control.Break();
                        Assert.True(control.LowestBreakIteration <= i);
                    }
                });

                Assert.False(result.IsCompleted);
                Assert.Equal(from + BreakAt, result.LowestBreakIteration);
                for (int i = 0; i <= BreakAt; i++)
                {
                    Assert.True(counts[i] == 1, $"from {from}: iteration {i} below the break ran {counts[i]} times.");
                }

                Assert.All(counts, c => Assert.InRange(c, 0, 1));
            }
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stop_SkipsIterationsNotStarted(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            const int Length = 1_000_000;
            var counts = new int[Length];
            LoopResult result = pool.For(0, Length, counts, static (c, i, control) =>
            {
                Interlocked.Increment(ref c[i]);
                if (i == 1000)
                {
                    control.Stop();
                    Assert.True(control.IsStopped);
                    Assert.True(control.ShouldExitCurrentIteration);
                }
            });

            Assert.False(result.IsCompleted);
            Assert.Null(result.LowestBreakIteration);
            Assert.Equal(1, counts[1000]);
            Assert.All(counts, c => Assert.InRange(c, 0, 1));
            Assert.True(counts.Sum() < Length, "Stop skipped nothing.");

            var after = new int[1000];
            Assert.True(pool.For(0, 1000, after, static (c, i, _) => Interlocked.Increment(ref c[i])).IsCompleted);
            Assert.All(after, c => Assert.Equal(1, c));
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exception_InAControlledLoop_IsAnAggregateOfOne(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.For(0L, 100_000L, static (i, _) =>
            {
                if (i == 4242)
                {
                    throw new InvalidOperationException("4242");
                }
            }));
            Assert.Equal("4242", error.Message);
            Assert.Equal(7, pool.Install(static () => 7));
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cancellation_OfEveryDelegateForm_ThrowsOperationCanceled(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            int runs = 0;
            Assert.Throws<OperationCanceledException>(() => pool.For(0, 10, _ => Interlocked.Increment(ref runs), cancelled.Token));
            Assert.Throws<OperationCanceledException>(() => pool.For(0L, 10L, _ => Interlocked.Increment(ref runs), cancelled.Token));
            Assert.Throws<OperationCanceledException>(() => pool.For(0, 10, 1, (_, _) => Interlocked.Increment(ref runs), cancelled.Token));
            Assert.Throws<OperationCanceledException>(() => pool.For(0L, 10L, 1, (_, _) => Interlocked.Increment(ref runs), cancelled.Token));
            Assert.Throws<OperationCanceledException>(() => pool.For(0, 10, (_, _) => Interlocked.Increment(ref runs), cancelled.Token));
            Assert.Equal(0, runs);

            // Cancelled midway: the loop ends early and reports it.
            using var midway = new CancellationTokenSource();
            var counts = new int[1_000_000];
            Assert.Throws<OperationCanceledException>(() => pool.For(0, counts.Length, (counts, midway), static (s, i) =>
            {
                Interlocked.Increment(ref s.counts[i]);
                if (i == 100)
                {
                    s.midway.Cancel();
                }
            }, midway.Token));
            Assert.Equal(1, counts[100]);
            Assert.All(counts, c => Assert.InRange(c, 0, 1));
            Assert.True(counts.Sum() < counts.Length, "Cancellation skipped nothing.");
        });
    });

    [Fact]
    public void DefaultControl_RefusesRequests() => Bounded.Run(() =>
    {
        LoopControl control = default;
        Assert.False(control.IsStopped);
        Assert.False(control.ShouldExitCurrentIteration);
        Assert.Null(control.LowestBreakIteration);
        bool stopThrew = false;
        bool breakThrew = false;
        try
        {
            control.Stop();
        }
        catch (InvalidOperationException)
        {
            stopThrew = true;
        }

        try
        {
            control.Break();
        }
        catch (InvalidOperationException)
        {
            breakThrew = true;
        }

        Assert.True(stopThrew && breakThrew);
    });

    [Fact]
    public void Arguments_AreChecked() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.For(0, 10, (ControlledForAction)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0L, 10L, (LongControlledForAction)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0, 10, 1, (ControlledForAction<int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.For(0L, 10L, 1, (LongControlledForAction<int>)null!));
    });

    [Fact]
    public void ForkJoinCounterparts_UseTheCurrentPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(pool, static p =>
        {
            Assert.Equal(5L, ForkJoin.For(0, 100, static (i, c) =>
            {
                Assert.NotNull(WorkStealingPool.Current);
                if (i == 5)
                {
                    c.Break();
                }
            }).LowestBreakIteration);
            Assert.Equal(5L, ForkJoin.For(0L, 100L, p, static (s, i, c) =>
            {
                Assert.Same(s, WorkStealingPool.Current);
                if (i == 5)
                {
                    c.Break();
                }
            }).LowestBreakIteration);
        });
    });
}
