using System.Globalization;
using System.Text.RegularExpressions;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// <see cref="AllocationStatistics"/>: what each column sees, the table format, validation, and
/// that measuring itself allocates nothing. In the Allocation collection because the process-wide
/// figures (and the GC.Collect test) would see, or disturb, tests running beside them.
/// </summary>
/// <remarks>
/// These run in the test host, whose own threads allocate now and then; an assertion on a
/// process-wide figure of 0 therefore takes the best of several short steps, while assertions on
/// the this-thread figure are exact.
/// </remarks>
[Collection("Allocation")]
public class AllocationStatisticsTests
{
    private const int ArrayLength = 10_000;
    private const int Attempts = 50;

    private static object? s_sink;

    [Fact]
    public void KnownArray_CountsProcessWideAndOnThisThread()
    {
        var stats = new AllocationStatistics(4);
        stats.Measure("array", static () => Volatile.Write(ref s_sink, new byte[ArrayLength]));

        AllocationStep step = stats[0];
        Assert.Equal("array", step.Label);
        Assert.True(step.Bytes >= ArrayLength, $"process-wide: {step.Bytes}");
        Assert.True(step.ThisThreadBytes >= ArrayLength, $"this thread: {step.ThisThreadBytes}");
        Assert.True(step.Bytes >= step.ThisThreadBytes, $"process-wide {step.Bytes} < this thread {step.ThisThreadBytes}");
    }

    [Fact]
    public void KnownArray_StateAndStructForms_CountIt()
    {
        var stats = new AllocationStatistics(4);
        stats.Measure("state", ArrayLength, static n => Volatile.Write(ref s_sink, new byte[n]));
        var work = new AllocatingAction(ArrayLength);
        stats.Measure("struct", ref work);

        Assert.Equal(2, stats.Count);
        Assert.True(work.Ran, "the struct form must run the caller's struct by reference");
        foreach (AllocationStep step in stats.Steps)
        {
            Assert.True(step.Bytes >= ArrayLength && step.ThisThreadBytes >= ArrayLength, step.ToString());
        }
    }

    [Fact]
    public void EmptyStep_AllocatesZero()
    {
        var stats = new AllocationStatistics(Attempts + 2);
        Action empty = static () => { };
        stats.Measure("warm-up", empty);
        stats.Measure("warm-up", empty);
        stats.Clear();

        long bestBytes = long.MaxValue;
        for (int i = 0; i < Attempts; i++)
        {
            stats.Measure("empty", empty);
            bestBytes = Math.Min(bestBytes, stats[i].Bytes);

            // Exact: nothing else runs on this thread during the step.
            Assert.Equal(0, stats[i].ThisThreadBytes);
        }

        Assert.True(bestBytes == 0, $"an empty step allocated {bestBytes} bytes process-wide in the best of {Attempts} attempts:\n{stats}");
    }

    [Fact]
    public void AnotherThreadsAllocation_CountsProcessWideOnly()
    {
        var stats = new AllocationStatistics(2);

        // Created outside the step: the Thread object and its delegate are this thread's allocations.
        var thread = new Thread(static () => Volatile.Write(ref s_sink, new byte[ArrayLength]));
        stats.Measure("other thread", thread, static t =>
        {
            t.Start();
            t.Join();
        });

        AllocationStep step = stats[0];
        Assert.True(step.Bytes >= ArrayLength, $"process-wide missed the other thread's array: {step}");
        Assert.True(step.ThisThreadBytes < ArrayLength, $"this-thread figure counted another thread's array: {step}");
    }

    [Fact]
    public void GcCollect_CountsACollection()
    {
        var stats = new AllocationStatistics(2);
        stats.Measure("nothing", static () => { });
        stats.Measure("collect", static () => GC.Collect());

        Assert.True(stats[1].Gcs >= 1, stats.ToString());
    }

    [Fact]
    public void Table_MatchesTheFormat()
    {
        var stats = new AllocationStatistics(3);
        stats.Measure("empty", static () => { });
        stats.Measure("a longer label", static () => Volatile.Write(ref s_sink, new byte[ArrayLength]));
        string table = stats.ToString();

        string[] lines = table.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Empty, lines[2]);
        var format = new Regex("^\"(?<label>[^\"]*)\" +-- Bytes: (?<bytes>\\d+) \\(this thread: (?<thread>\\d+)\\), GCs: (?<gcs>\\d+)$", RegexOptions.None, TimeSpan.FromSeconds(1));
        for (int i = 0; i < 2; i++)
        {
            Match match = format.Match(lines[i]);
            Assert.True(match.Success, $"line {i} does not match the format: {lines[i]}");
            Assert.Equal(stats[i].Label, match.Groups["label"].Value);
            Assert.Equal(stats[i].Bytes, long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture));
            Assert.Equal(stats[i].ThisThreadBytes, long.Parse(match.Groups["thread"].Value, CultureInfo.InvariantCulture));
            Assert.Equal(stats[i].Gcs, int.Parse(match.Groups["gcs"].Value, CultureInfo.InvariantCulture));
        }

        // The "--" columns line up; the widest label is followed by exactly one space.
        Assert.Equal(lines[0].IndexOf(" -- ", StringComparison.Ordinal), lines[1].IndexOf(" -- ", StringComparison.Ordinal));
        Assert.StartsWith("\"a longer label\" -- Bytes: ", lines[1], StringComparison.Ordinal);

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stats.WriteTo(writer);
        Assert.Equal(table, writer.ToString());
    }

    [Fact]
    public void Table_ExactText_ForAKnownStep()
    {
        var step = new AllocationStep("pool.Install(() => {}) -- 2nd time", 24, 0, 1);
        Assert.Equal("\"pool.Install(() => {}) -- 2nd time\" -- Bytes: 24 (this thread: 0), GCs: 1", step.ToString());
        Assert.Equal(string.Empty, new AllocationStatistics(1).ToString());
        Assert.Equal("\"\" -- Bytes: 0 (this thread: 0), GCs: 0", default(AllocationStep).ToString());
    }

    [Fact]
    public void ArgumentValidation()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AllocationStatistics(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AllocationStatistics(-1));

        var stats = new AllocationStatistics(2);
        Assert.Throws<ArgumentNullException>(() => stats.Measure(null!, static () => { }));
        Assert.Throws<ArgumentNullException>(() => stats.Measure("x", (Action)null!));
        Assert.Throws<ArgumentNullException>(() => stats.Measure(null!, 1, static _ => { }));
        Assert.Throws<ArgumentNullException>(() => stats.Measure("x", 1, (Action<int>)null!));
        var work = new AllocatingAction(0);
        Assert.Throws<ArgumentNullException>(() => stats.Measure(null!, ref work));
        Assert.False(work.Ran);
        Assert.Throws<ArgumentNullException>(() => stats.WriteTo(null!));
        Assert.Throws<ArgumentNullException>(() => new AllocationStep(null!, 0, 0, 0));

        Assert.Equal(0, stats.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => stats[0]);
        stats.Measure("one", static () => { });
        Assert.Equal("one", stats[0].Label);
        Assert.Throws<ArgumentOutOfRangeException>(() => stats[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => stats[-1]);
    }

    [Fact]
    public void CapacityOverflow_Throws_WithoutRunningTheStep_AndClearMakesRoom()
    {
        var stats = new AllocationStatistics(1);
        Assert.Equal(1, stats.Capacity);
        stats.Measure("first", static () => { });

        bool ran = false;
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => stats.Measure("second", () => ran = true));
        Assert.False(ran);
        Assert.Contains("1", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => stats.Measure("second", 0, static _ => { }));
        var work = new AllocatingAction(0);
        Assert.Throws<InvalidOperationException>(() => stats.Measure("second", ref work));
        Assert.False(work.Ran);
        Assert.Equal(1, stats.Count);
        Assert.Equal("first", stats[0].Label);

        stats.Clear();
        Assert.Equal(0, stats.Count);
        Assert.True(stats.Steps.IsEmpty);
        stats.Measure("after clear", static () => { });
        Assert.Equal("after clear", stats[0].Label);
    }

    [Fact]
    public void ThrowingStep_IsNotRecorded()
    {
        var stats = new AllocationStatistics(1);
        Assert.Throws<InvalidTimeZoneException>(() => stats.Measure("throws", static () => throw new InvalidTimeZoneException()));
        Assert.Equal(0, stats.Count);
    }

    [Fact]
    public void Measure_ItselfAllocatesZero_AfterWarmUp()
    {
        const int Calls = 1000;
        var stats = new AllocationStatistics(3 * Calls);
        Action empty = static () => { };
        Action<int> emptyState = static _ => { };
        var work = new AllocatingAction(0);

        for (int warmUp = 0; warmUp < 2; warmUp++)
        {
            stats.Measure("action", empty);
            stats.Measure("state", 1, emptyState);
            stats.Measure("struct", ref work);
            stats.Clear();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            stats.Measure("action", empty);
            stats.Measure("state", i, emptyState);
            stats.Measure("struct", ref work);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{3 * Calls} Measure calls allocated {allocated} bytes on the calling thread; expected exactly 0.");
        Assert.Equal(3 * Calls, stats.Count);
    }

    [Fact]
    public void PoolInstall_StaticLambda_ZeroBytesAfterWarmUp()
    {
        // The README example: a pool's Install of a static lambda allocates nothing, workers included.
        using WorkStealingPool pool = Pools.Create(2);
        var stats = new AllocationStatistics(Attempts + 2);
        // The warm-up runs the very step that is measured: each lambda expression creates its
        // cached delegate (64 bytes) the first time it runs, so a different lambda would not do.
        Action<WorkStealingPool> installs = static p =>
        {
            for (int j = 0; j < 1000; j++)
            {
                p.Install(static () => { });
            }
        };
        stats.Measure("warm-up", pool, installs);
        stats.Measure("warm-up", pool, installs);
        stats.Clear();

        long best = long.MaxValue;
        for (int i = 0; i < Attempts; i++)
        {
            stats.Measure("pool.Install(static () => {}) x 1000", pool, installs);
            Assert.Equal(0, stats[i].ThisThreadBytes);
            best = Math.Min(best, stats[i].Bytes);
        }

        Assert.True(best == 0, $"best of {Attempts}: {best} bytes process-wide\n{stats}");
    }

    /// <summary>Allocates an array of the given length (0: nothing) and records that it ran.</summary>
    private struct AllocatingAction(int length) : IMeasuredAction
    {
        public bool Ran { get; private set; }

        public void Invoke()
        {
            if (length > 0)
            {
                Volatile.Write(ref s_sink, new byte[length]);
            }

            Ran = true;
        }
    }
}
