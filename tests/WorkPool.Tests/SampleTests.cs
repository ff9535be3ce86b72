using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Samples;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>Runs every sample of samples/WorkPool.Samples (the code of README.md and docs/) and checks its result.</summary>
public class SampleTests
{
    [Fact]
    public void QuickStart_ComputesTheAnswerAndFib25() => Bounded.Run(() =>
    {
        Assert.Equal((42, 75025L), QuickStart.Run());
    });

    [Fact]
    public void StructBody_ComputesFib25() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Assert.Equal(75025L, StructBody.Run(pool));
    });

    [Fact]
    public void Scope_SumsTheSquaresOfEveryItem() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int[] items = Enumerable.Range(1, 1000).ToArray();
        Assert.Equal(items.Sum(i => (long)i * i), ScopesAndSpawns.SumOfSquares(pool, items));
    });

    [Fact]
    public void SpawnThenBroadcast_RunsOncePerWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        Assert.Equal(3, ScopesAndSpawns.SpawnThenBroadcast(pool));
    });

    [Fact]
    public void Loops_ScaleEveryElementThreeTimes() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        float[] data = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        Loops.Scale(pool, data, 2f);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(i * 8f, data[i]);
        }
    });

    [Fact]
    public void Loops_ClampEveryElement() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int[] values = Enumerable.Range(0, 5_000).ToArray();
        Loops.Clamp(pool, values, 100);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => Math.Min(i, 100)), values);
    });

    [Fact]
    public void Loops_DeterministicSum_IsBitwiseTheSameOnEveryRun() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        double[] values = Enumerable.Range(1, 100_000).Select(i => 1.0 / i).ToArray();
        double first = Loops.Sum(pool, values);
        Assert.Equal(values.Sum(), first, 1e-9);
        for (int run = 0; run < 20; run++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(Loops.Sum(pool, values)));
        }
    });

    [Fact]
    public void Loops_Break_ReportsTheFirstNegative() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int[] values = Enumerable.Range(0, 100_000).ToArray();
        Assert.Null(Loops.FirstNegative(pool, values));
        values[70_000] = -1;
        values[90_000] = -1;
        Assert.Equal(70_000L, Loops.FirstNegative(pool, values));
    });

    [Fact]
    public void Loops_Cancel_Throws() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Assert.True(Loops.CancelMidway(pool));
    });

    [Fact]
    public void Diagnostics_Statistics_CountTheWork() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        StructBody.Run(pool);
        (long joinsInline, string report) = Samples.Diagnostics.ReadStatistics(pool);
        Assert.True(joinsInline > 0, "a Fib(25) on the pool runs Joins inline");
        Assert.StartsWith("WorkPool statistics: pool", report, StringComparison.Ordinal);
    });

    /// <summary>
    /// The allocation-test sample measures process-wide bytes, so it runs in a child process
    /// (as <see cref="AllocationTests"/> do), away from the other tests running in this one.
    /// </summary>
    [Fact]
    public void Diagnostics_AllocationTest_MeasuresZeroBytes()
    {
        using ChildProcessProbe child = ChildProcessProbe.Run(SampleProbes.AllocationTest);
        Assert.True(child.ExitCode == 0, $"probe exit code {child.ExitCode}:\n{child.Output}");
        Assert.Contains(SampleProbes.Result + " bytes=0 this-thread=0", child.Lines);
    }

    [Fact]
    public void Migration_EveryRowRuns() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        int[] state = new int[1];

        int before = Migration.Runs;
        Migration.InstallAction(pool, state);
        Migration.JoinTwo(pool, state);
        Assert.Equal(before + 3, Migration.Runs);
        Assert.Equal(6, state[0]);

        Assert.Equal(8, Migration.InstallResult(pool, 2));
        Assert.Equal(10, Migration.RecursiveJoin(pool, state));

        int[] ints = new int[1000];
        Migration.ForInt(pool, ints);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 4 * i), ints);
        long[] longs = new long[1000];
        Migration.ForLong(pool, longs);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 3L * i), longs);
        Array.Clear(ints);
        Migration.ForCancellable(pool, ints, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 3 * i), ints);

        Assert.Equal((500L, 500L), Migration.ForBreak(pool, 500));

        int[] array = Enumerable.Range(1, 100).ToArray();
        Assert.Equal(2 * 5050L, Migration.ForEachElement(pool, array));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => 2 * i), array);

        (long sum, long structSum, double doubleSum) = Migration.Reductions(pool, 1000);
        Assert.Equal(999_000L, sum);
        Assert.Equal(999_000L, structSum);
        Assert.Equal(Enumerable.Range(1, 1000).Sum(i => 1.0 / i), doubleSum, 1e-9);

        Assert.Equal(2 * 2 * 5050L, Migration.ScopeOfJobs(pool, Enumerable.Range(1, 100).ToArray()));

        using var done = new CountdownEvent(3);
        Migration.FireAndForget(pool, done);
        Assert.True(done.Wait(Bounded.WaitLimit), "every fire-and-forget job ran");

        Assert.Equal([2, 2], Migration.PerWorkerSetup(pool));
        (bool outsideIsNull, int outsideIndex, int insideIndex) = Migration.Current(pool);
        Assert.True(outsideIsNull);
        Assert.Equal(-1, outsideIndex);
        // An Install from outside runs on the calling thread as a guest: a guest slot's index.
        Assert.True(Guests.IsGuestIndex(pool, insideIndex), $"the Install ran with index {insideIndex}");
    });

    [Fact]
    public void Exceptions_LoopAndInstall_FollowTheContract() => Bounded.Run(() =>
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2 });
        Assert.Equal(0, Samples.Exceptions.CountInvalid(pool, [1, 2, 3]));
        Assert.Equal(1, Samples.Exceptions.CountInvalid(pool, [1, -2, 3]));
        Assert.Equal(8, Samples.Exceptions.DoubleUnlessCanceled(pool, 4, CancellationToken.None));
        Assert.Null(Samples.Exceptions.DoubleUnlessCanceled(pool, 4, new CancellationToken(canceled: true)));
        Assert.Throws<OverflowException>(() => Samples.Exceptions.DoubleUnlessCanceled(pool, int.MaxValue, CancellationToken.None));
    });
}

/// <summary>The child-process side of <see cref="SampleTests"/>, dispatched from <see cref="ProbeProgram.Main"/>.</summary>
internal static class SampleProbes
{
    internal const string AllocationTest = "sample-allocation-probe";
    internal const string Result = "SAMPLE-RESULT";

    /// <summary>Runs the probe named <paramref name="command"/>; null when it names none.</summary>
    internal static int? Run(string command)
    {
        if (command != AllocationTest)
        {
            return null;
        }

        AllocationStep best = Samples.Diagnostics.MeasureInstalls();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Result} bytes={best.Bytes} this-thread={best.ThisThreadBytes}"));
        return 0;
    }

}
