namespace WorkPool.Tests;

/// <summary>
/// A canceled, stopped or broken loop returns soon, whatever its range: pieces are sized to run
/// about <see cref="SharingClock.PieceTarget"/>, and only the pieces already running finish. The
/// bound asserted is the test's hang limit (a loop that ran its whole range would take years),
/// not a timing threshold.
/// </summary>
public class LoopLatencyTests
{
    private const long CancelAfter = 100_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WidestRange_CanceledAfterAFewIterations_Returns_AndDisposeDoesNotHang(bool fromWorker) => Bounded.Run(() =>
    {
        using var cts = new CancellationTokenSource();
        var pool = Pools.Create(2);
        var state = new Counter(cts);
        Sides.On(pool, fromWorker, () =>
            Assert.Throws<OperationCanceledException>(() =>
                pool.For(long.MinValue, long.MaxValue, state, static (s, _) => s.Tick(), cts.Token)));
        Assert.True(state.Count >= CancelAfter);
        pool.Dispose();
    });

    [Fact]
    public void WidestRange_WithoutGuests_CanceledAfterAFewIterations_Returns() => Bounded.Run(() =>
    {
        using var cts = new CancellationTokenSource();
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        var state = new Counter(cts);
        Assert.Throws<OperationCanceledException>(() =>
            pool.For(long.MinValue, long.MaxValue, state, static (s, _) => s.Tick(), cts.Token));
    });

    [Fact]
    public void LargeLoop_CanceledFromAnotherThread_Returns_WithMostIterationsSkipped() => Bounded.Run(() =>
    {
        const int Length = 400_000_000;
        using var cts = new CancellationTokenSource();
        using WorkStealingPool pool = Pools.Create(2);
        var state = new Counter(cts: null);
        var canceler = new Thread(() =>
        {
            Bounded.Until(() => Volatile.Read(ref state.Count) >= CancelAfter, "the loop to run");
            cts.Cancel();
        });
        canceler.Start();
        Assert.Throws<OperationCanceledException>(() => pool.For(0, Length, state, static (s, _) => s.Tick(), cts.Token));
        Assert.True(canceler.Join(Bounded.WaitLimit));
        Assert.InRange(state.Count, CancelAfter, Length - 1);
    });

    [Fact]
    public void WidestRange_AnIterationThrows_TheLoopStops_AndReturns() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var state = new Counter(cts: null);
        AggregateException thrown = Assert.Throws<AggregateException>(() => pool.For(long.MinValue, long.MaxValue, state, static (s, _) =>
        {
            if (s.Tick() == CancelAfter)
            {
                throw new InvalidOperationException("stop here");
            }
        }));
        Assert.Equal("stop here", Assert.Single(thrown.InnerExceptions).Message);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WidestRange_Stopped_Returns(bool breakInstead) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var state = new Counter(cts: null);
        LoopResult result = pool.For(long.MinValue, long.MaxValue, (state, breakInstead), static (s, i, control) =>
        {
            if (s.state.Tick() == CancelAfter)
            {
                if (s.breakInstead)
                {
                    control.Break();
                }
                else
                {
                    control.Stop();
                }
            }
        });
        Assert.False(result.IsCompleted);
    });

    private sealed class Counter(CancellationTokenSource? cts)
    {
        public long Count;

        public long Tick()
        {
            long count = Interlocked.Increment(ref Count);
            if (count == CancelAfter)
            {
                cts?.Cancel();
            }

            return count;
        }
    }
}

/// <summary>
/// Recursion through Join, Install or Scope without a cut-off throws
/// <see cref="InsufficientExecutionStackException"/> at the stack guard's limit, on workers and on
/// guests, and the pool stays usable; StackSize moves the limit. In a child process, so that a
/// regression (a stack overflow ends the process) cannot take the test host down.
/// </summary>
public class StackGuardTests
{
    [Fact]
    public void DeepRecursion_ThrowsInsufficientExecutionStack_AndThePoolStaysUsable()
    {
        RobustnessProbes.RunAndAssert(RobustnessProbes.DeepRecursion, expectedExitCode: 0, RobustnessProbes.DeepRecursionResult);
    }
}
