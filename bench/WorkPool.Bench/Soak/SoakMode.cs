using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Soak;

/// <summary>
/// <c>--soak --minutes N</c>: runs the mixed workload (<see cref="SoakCaller"/>) from several outside
/// threads for N minutes, prints a progress line every few seconds (jobs/s, bytes allocated,
/// collections, live heap, the slowest Install), and exits non-zero if a result is wrong, a job
/// is lost or runs twice, an Install is slower than the bound (or never returns), or the live heap
/// grew between the end of warm-up and the end of the run.
/// </summary>
internal static class SoakMode
{
    /// <summary>How much the live heap may grow from the end of warm-up to the end: generous, a leak of one object per operation exceeds it within seconds.</summary>
    private const long HeapGrowthLimit = 4 << 20;

    internal static int Run(ReadOnlySpan<string> args)
    {
        if (SoakOptions.Parse(args, Console.Error) is not { } options)
        {
            return 2;
        }

        TextWriter output = Console.Out;
        WorkStealingPoolOptions poolOptions = options.PoolOptions();
        var pool = new WorkStealingPool(poolOptions);
        var other = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 1, ThreadNamePrefix = "soak.other" });
        TreeNode tree = BinaryTree.Build(BinaryTree.SmallDepth);
        ulong[] smallExpected = new ulong[WorkFunction.LoopLength];
        WorkFunction.SequentialLoop(smallExpected);
        var callers = new SoakCaller[options.Callers];
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = new SoakCaller(i, pool, other, tree, BinaryTree.NodeCount(BinaryTree.SmallDepth), smallExpected);
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"WorkPool soak: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} processors, pool ThreadCount={pool.ThreadCount} (+ a 1-thread pool for A → B → A), {callers.Length} outside callers, {options.Minutes} min, progress every {options.ReportSeconds} s, Install bound {options.MaxInstallMilliseconds} ms"));
        foreach (SoakCaller caller in callers)
        {
            caller.Start();
        }

        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(options.Minutes * 60 * Stopwatch.Frequency);
        long bound = (long)(options.MaxInstallMilliseconds / 1000.0 * Stopwatch.Frequency);
        var totals = new Snapshot();
        Snapshot previous = Snapshot.Take(callers);
        long baselineHeap = -1;
        long baselineAllocated = 0;
        Snapshot baseline = previous;
        long maxInstallTicks = 0;
        string? failure = null;
        Span<char> line = stackalloc char[512];
        byte[] utf8 = new byte[2048];
        output.Flush();
        using Stream stdout = Console.OpenStandardOutput();

        long nextReport = start + options.ReportSeconds * Stopwatch.Frequency;
        while (failure is null && Stopwatch.GetTimestamp() < end)
        {
            // Pacing of the reporter (it only reads counters), not synchronization.
            Thread.Sleep(250);
            long now = Stopwatch.GetTimestamp();
            foreach (SoakCaller caller in callers)
            {
                long inFlight = caller.InFlightTicks(now);
                if (inFlight > bound)
                {
                    failure = $"an operation ({caller.Operation}) has been running for {inFlight / (double)Stopwatch.Frequency:F1} s (bound {options.MaxInstallMilliseconds} ms): hung or lost";
                }
            }

            if (now < nextReport && now < end)
            {
                continue;
            }

            nextReport += options.ReportSeconds * Stopwatch.Frequency;
            Snapshot current = Snapshot.Take(callers);
            long intervalMaxInstall = 0;
            foreach (SoakCaller caller in callers)
            {
                intervalMaxInstall = Math.Max(intervalMaxInstall, caller.TakeMaxInstallTicks());
            }

            bool warmUp = baselineHeap < 0;
            if (warmUp)
            {
                // End of warm-up: the live heap from here on must not grow.
                baselineHeap = GC.GetTotalMemory(forceFullCollection: true);
                baselineAllocated = GC.GetTotalAllocatedBytes(precise: true);
                baseline = Snapshot.Take(callers);
                current = baseline;
            }
            else
            {
                maxInstallTicks = Math.Max(maxInstallTicks, intervalMaxInstall);
            }

            double seconds = (double)(now - previous.Timestamp) / Stopwatch.Frequency;
            if (line.TryWrite(
                CultureInfo.InvariantCulture,
                $"soak t={(now - start) / (double)Stopwatch.Frequency:F0}s phase={(warmUp ? "warm-up" : "steady")} ops={current.Operations} jobs={current.Jobs} jobs_per_s={(current.Jobs - previous.Jobs) / seconds:F0} alloc_bytes={current.Allocated - previous.Allocated} gc0={current.Gen0 - previous.Gen0} gc1={current.Gen1 - previous.Gen1} gc2={current.Gen2 - previous.Gen2} heap_bytes={GC.GetTotalMemory(forceFullCollection: false)} max_install_ms={intervalMaxInstall * 1000.0 / Stopwatch.Frequency:F2} wrong={current.Wrong}",
                out int written))
            {
                // Encoded into a preallocated buffer and written to the raw stream: the progress
                // line allocates nothing, so alloc_bytes counts only the workload and the pool.
                line[written++] = '\n';
                int bytes = Encoding.UTF8.GetBytes(line[..written], utf8);
                stdout.Write(utf8, 0, bytes);
            }

            if (intervalMaxInstall > bound)
            {
                failure = $"an Install took {intervalMaxInstall * 1000.0 / Stopwatch.Frequency:F0} ms (bound {options.MaxInstallMilliseconds} ms)";
            }

            if (current.Wrong != 0)
            {
                failure ??= $"{current.Wrong} wrong results";
            }

            previous = current;
        }

        if (failure is not null)
        {
            // Callers may be stuck inside the pool: do not wait for them or dispose.
            output.WriteLine($"soak result=FAIL reason=\"{failure}\"");
            return 1;
        }

        foreach (SoakCaller caller in callers)
        {
            if (!caller.Stop(TimeSpan.FromMilliseconds(options.MaxInstallMilliseconds) + TimeSpan.FromSeconds(30)))
            {
                output.WriteLine($"soak result=FAIL reason=\"a caller did not finish its last operation ({caller.Operation})\"");
                return 1;
            }
        }

        foreach (SoakCaller caller in callers)
        {
            maxInstallTicks = Math.Max(maxInstallTicks, caller.TakeMaxInstallTicks());
        }

        totals = Snapshot.Take(callers);
        long finalHeap = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedAfterWarmUp = GC.GetTotalAllocatedBytes(precise: true) - baselineAllocated;
        pool.Dispose();
        other.Dispose();

        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long lost = totals.Submitted - totals.Executed;
        long growth = baselineHeap < 0 ? 0 : finalHeap - baselineHeap;
        double maxInstallMs = maxInstallTicks * 1000.0 / Stopwatch.Frequency;
        string verdict = totals.Wrong != 0 ? $"FAIL reason=\"{totals.Wrong} wrong results\""
            : lost != 0 ? $"FAIL reason=\"{totals.Submitted} counted jobs submitted, {totals.Executed} executed\""
            : maxInstallTicks > bound ? $"FAIL reason=\"an Install took {maxInstallMs:F0} ms\""
            : growth > HeapGrowthLimit ? $"FAIL reason=\"the live heap grew by {growth} bytes after warm-up\""
            : "PASS";
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"soak result={verdict} minutes={elapsed / 60:F1} ops={totals.Operations} jobs={totals.Jobs} jobs_per_s={totals.Jobs / elapsed:F0} wrong={totals.Wrong} lost={lost} max_install_ms={maxInstallMs:F2} heap_growth_bytes={growth} alloc_bytes_after_warmup={allocatedAfterWarmUp} gc0={totals.Gen0 - baseline.Gen0} gc1={totals.Gen1 - baseline.Gen1} gc2={totals.Gen2 - baseline.Gen2}"));
        return verdict == "PASS" ? 0 : 1;
    }

    /// <summary>The callers' counters and the process's allocation and collection counts at one moment.</summary>
    private readonly record struct Snapshot(long Timestamp, long Operations, long Jobs, long Wrong, long Submitted, long Executed, long Allocated, int Gen0, int Gen1, int Gen2)
    {
        internal static Snapshot Take(SoakCaller[] callers)
        {
            long operations = 0, jobs = 0, wrong = 0, submitted = 0, executed = 0;
            foreach (SoakCaller caller in callers)
            {
                operations += caller.Operations;
                jobs += caller.Jobs;
                wrong += caller.Wrong;
                submitted += caller.Submitted;
                executed += caller.Executed;
            }

            return new Snapshot(
                Stopwatch.GetTimestamp(), operations, jobs, wrong, submitted, executed,
                GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        }
    }
}
