using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>
/// How <see cref="AllocationTests"/> measure: each test runs in a child process
/// (<see cref="ChildProcessProbe"/>, <c>alloc-probe TestName</c>; TieredCompilation is off there
/// too) that holds only the pool and the calling thread, and reports the fewest bytes allocated
/// process-wide over <see cref="Rounds"/> rounds after warm-up. The test host's own threads
/// allocate now and then, even in a loop that never touches a pool, and that could hit every
/// round of a measurement; the child process has no such threads, so the assertion stays exact.
/// The failure message splits each round's bytes into caller, workers and other threads.
/// </summary>
internal static class AllocationProbe
{
    /// <summary>The probe command: <c>alloc-probe &lt;AllocationTests method&gt;</c>.</summary>
    internal const string Command = "alloc-probe";

    private const int Rounds = 3;
    private const string ResultMarker = "ALLOC-RESULT";

    /// <summary>True in the child process: the test measures instead of starting another child.</summary>
    private static bool s_inProbe;

    /// <summary>Measures <paramref name="loop"/> (see <see cref="MeasureIsolated"/>) and asserts that its best round allocated exactly 0 bytes.</summary>
    internal static void AssertZeroBytes(string form, int calls, Func<WorkStealingPool, long> loop, long expectedChecksum, int threads = 2, int spinCount = 512, bool warmEachWorker = true, int injectorCapacity = 1024, int? guestSlots = null, [CallerMemberName] string test = "")
    {
        (long min, string rounds) = MeasureIsolated(loop, expectedChecksum, threads, spinCount, test, warmEachWorker, injectorCapacity, guestSlots);
        Assert.True(
            min == 0,
            $"{form}: allocated {min} bytes in the best of {Rounds} rounds of {calls} calls ({(double)min / calls:0.###} B/call). Rounds: {rounds}. Expected exactly 0.");
    }

    /// <summary>
    /// In the test host: runs the test method <paramref name="test"/> in a child process and
    /// returns what it measured there. In that child: measures <paramref name="loop"/> with
    /// <see cref="Measure"/>, prints the result for the parent and returns it.
    /// </summary>
    internal static (long Min, string Rounds) MeasureIsolated(Func<WorkStealingPool, long> loop, long expectedChecksum, int threads, int spinCount, string test, bool warmEachWorker = true, int injectorCapacity = 1024, int? guestSlots = null)
    {
        if (s_inProbe)
        {
            (long min, string rounds) = Bounded.RunFunc(() => Measure(loop, expectedChecksum, threads, spinCount, warmEachWorker, injectorCapacity, guestSlots), test);
            Console.WriteLine($"{ResultMarker}\t{min.ToString(CultureInfo.InvariantCulture)}\t{rounds}");
            return (min, rounds);
        }

        using ChildProcessProbe child = ChildProcessProbe.Run(Command, test);
        string? line = child.Lines.FirstOrDefault(l => l.StartsWith(ResultMarker + "\t", StringComparison.Ordinal));
        Assert.True(line is not null, $"The allocation probe for {test} printed no result (exit code {child.ExitCode}):\n{child.Output}");
        string[] parts = line.Split('\t', 3);
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
    }

    /// <summary>In the child process: runs the test method <paramref name="test"/> of <see cref="AllocationTests"/>, which measures here.</summary>
    internal static int RunTest(string test)
    {
        MethodInfo? method = typeof(AllocationTests).GetMethod(test, BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (method is null)
        {
            Console.Error.WriteLine($"no test method AllocationTests.{test}");
            return 2;
        }

        s_inProbe = true;
        try
        {
            method.Invoke(new AllocationTests(), null);
            return 0;
        }
        catch (TargetInvocationException e)
        {
            // The result line, if any, was printed before the assertion failed; the parent reports it.
            Console.Error.WriteLine(e.InnerException);
            return 1;
        }
    }

    /// <summary>The fewest bytes allocated process-wide in <see cref="Rounds"/> measured rounds after two warm-up rounds, and a per-round breakdown.</summary>
    /// <remarks>
    /// <paramref name="warmEachWorker"/> false skips <see cref="RunOnEachWorker"/>, which holds
    /// the other workers in a broadcast: a loop that needs every worker (a broadcast) warms them itself.
    /// <paramref name="guestSlots"/> null keeps the pool's default.
    /// </remarks>
    private static (long Min, string Rounds) Measure(Func<WorkStealingPool, long> loop, long expectedChecksum, int threads, int spinCount, bool warmEachWorker, int injectorCapacity, int? guestSlots)
    {
        using WorkStealingPool pool = Pools.Create(
            threads,
            o =>
            {
                o.SpinCount = spinCount;
                o.InjectorCapacity = injectorCapacity;
                o.GuestSlots = guestSlots ?? o.GuestSlots;
            },
            test: "alloc");

        // Warm-up: the calling thread twice, then every worker once on its own. Job slots are
        // per thread and created the first time a thread reaches a depth, so a worker that
        // happened to sleep through the caller's warm-up runs would otherwise create its slots
        // in a measured round (one WorkJob per depth plus its slot arrays).
        Assert.Equal(expectedChecksum, loop(pool));
        Assert.Equal(expectedChecksum, loop(pool));
        if (warmEachWorker)
        {
            RunOnEachWorker(pool, loop, expectedChecksum);
        }

        long min = long.MaxValue;
        var rounds = new string[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            long[] workersBefore = WorkerAllocatedBytes(pool);
            long callerBefore = GC.GetAllocatedBytesForCurrentThread();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            long checksum = loop(pool);
            long after = GC.GetTotalAllocatedBytes(precise: true);
            long callerAfter = GC.GetAllocatedBytesForCurrentThread();
            long[] workersAfter = WorkerAllocatedBytes(pool);
            Assert.Equal(expectedChecksum, checksum);
            min = Math.Min(min, after - before);

            // Who allocated: the calling thread, the pool's workers, or some other thread of the
            // process (diagnostics for the failure message only; the assertion is on the total).
            long caller = callerAfter - callerBefore;
            long workers = workersAfter.Sum() - workersBefore.Sum();
            rounds[round] = $"{after - before} B (caller {caller}, workers {workers}, other threads {after - before - caller - workers})";
        }

        return (min, string.Join("; ", rounds));
    }

    /// <summary>
    /// Runs <paramref name="loop"/> once on each worker in turn, from inside that worker's part
    /// of a broadcast, while the other workers are held in their own parts (so the loop's
    /// Installs run inline and its Joins use that worker's own job slots). A broadcast, not
    /// Installs from outside threads: those run on the calling threads as guests.
    /// </summary>
    private static void RunOnEachWorker(WorkStealingPool pool, Func<WorkStealingPool, long> loop, long expectedChecksum)
    {
        for (int w = 0; w < pool.ThreadCount; w++)
        {
            var done = new Gate("the warm-up run on another worker");
            long checksum = 0;
            int target = w;
            pool.Broadcast(index =>
            {
                if (index == target)
                {
                    try
                    {
                        checksum = loop(pool);
                    }
                    finally
                    {
                        done.Signal();
                    }
                }
                else
                {
                    done.Wait();
                }
            });
            Assert.Equal(expectedChecksum, checksum);
        }
    }

    /// <summary>Each worker's own allocation counter, read on that worker (its part of a broadcast).</summary>
    private static long[] WorkerAllocatedBytes(WorkStealingPool pool)
    {
        var bytes = new long[pool.ThreadCount];
        pool.Broadcast(bytes, static (bytes, index) => bytes[index] = GC.GetAllocatedBytesForCurrentThread());
        return bytes;
    }
}
