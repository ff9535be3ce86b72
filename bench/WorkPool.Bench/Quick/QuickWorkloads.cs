using System.Diagnostics;
using WorkPool.Bench.Workloads;
using WorkPool.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The workloads of WORKLOADS.md in quick mode, each measured for WorkPool, TPL and (where it
/// has one) the sequential version, in the same process. WorkPool is called only through its
/// allocation-free forms (static lambdas, state + static lambda, struct bodies). Operation
/// counts are sized so the whole run takes well under a minute on a 2-core machine.
/// </summary>
internal sealed class QuickWorkloads(WorkStealingPool pool, WorkStealingPoolOptions poolOptions, QuickReport report)
{
    private const int InstallsPerRound = 20_000;
    private const int NestedInstallsPerRound = 5_000_000;
    private const int ContendedInstallsPerCaller = 4_000;
    private const int SmallTreeSumsPerRound = 1_000;
    private const int CapacityLoopsPerThread = 150;
    private const int SmallLoopsPerRound = 300;
    private const int TinyLoopsPerRound = 20_000;
    private const int ScopesPerRound = 50;
    private const int InvokesPerRound = 2_000;
    private const int LateIdleJoinsPerRound = 8;
    private const int NestedLoopsPerRound = 4;
    private const int CoarseLoopsPerRound = 5;
    private const int FloodInstallsPerCaller = 100;
    private const int AsyncInstallsPerRound = 20_000;
    private const int ObjectPoolOpsPerWorker = 200_000;
    private const int MatrixProductsPerRound = 5;

    // The machine's parallel ceiling in this run (Capacity), for the loops' efficiency figures.
    private double _capacity = 1;

    private static int TplThreads => Environment.ProcessorCount;

    /// <summary>Every workload in table order, or (with <paramref name="only"/>) capacity and the named ones.</summary>
    internal void RunAll(IReadOnlySet<string>? only = null)
    {
        (string Name, Action Run)[] workloads =
        [
            ("install_empty", InstallEmpty),
            ("install_nested", InstallNested),
            ("install_contended", InstallContended),
            ("join_fib", JoinFib),
            ("invoke_4", Invoke4),
            ("tree_sum", () => TreeSum("tree_sum", BinaryTree.LargeDepth, sumsPerRound: 1)),
            ("tree_sum_small", () => TreeSum("tree_sum_small", BinaryTree.SmallDepth, SmallTreeSumsPerRound)),
            ("for_small", ForSmall),
            ("for_tiny", ForTiny),
            ("scope_spawn", () => ScopeSpawn()),
            ("late_idle", LateIdleJoin),
            ("for_nested", ForNested),
            ("for_coarse", ForCoarse),
            ("for_matmul", ForMatmul),
            ("frame_loop", FrameLoop),
            ("install_async", InstallAsync),
            ("install_async_concurrent", InstallAsyncConcurrent),
            ("object_pool", ObjectPool),

            // After the others: its blocking TPL callers make the .NET thread pool add threads.
            ("install_under_flood", InstallFlooded),
            ("wake_latency", WakeAfterIdle),
            ("idle_cpu", IdleCpu),
        ];

        Capacity();
        foreach ((string name, Action run) in workloads)
        {
            if (only is null || only.Contains(name))
            {
                run();
            }
        }

        // The engine's one clock derives every sharing threshold from this (docs/design/sharing-clock.md).
        PoolStatistics clock = pool.GetStatistics();
        report.AddNote($"hand-off: {clock.HandOff.TotalMicroseconds:F1} µs to wake a sleeper, {clock.StealHandOff.TotalMicroseconds:F1} µs to a searcher: the engine's estimates after the run (measured from its wake-ups and its loops' helpers)");
    }

    /// <summary>The workloads with a parallel part, each with its sequential line: what <c>quick --sweep</c> runs at every thread count.</summary>
    internal void RunScaling()
    {
        Capacity();
        JoinFib();
        TreeSum("tree_sum", BinaryTree.LargeDepth, sumsPerRound: 1);
        TreeSum("tree_sum_small", BinaryTree.SmallDepth, SmallTreeSumsPerRound);
        ForSmall();
        ForNested();
        ForCoarse();
        ForMatmul();
        ScopeSpawn(withSequential: true);
    }

    private void Capacity()
    {
        int threads = pool.ThreadCount;
        ulong[][] outputs = new ulong[threads][];
        for (int i = 0; i < threads; i++)
        {
            outputs[i] = new ulong[WorkFunction.LoopLength];
        }

        Action<int> loops = i =>
        {
            for (int r = 0; r < CapacityLoopsPerThread; r++)
            {
                WorkFunction.SequentialLoop(outputs[i]);
            }
        };
        Measurement alone = MeasureGang(1, CapacityLoopsPerThread, loops);
        Measurement together = MeasureGang(threads, CapacityLoopsPerThread, loops);
        _capacity = alone.NsPerOp / together.NsPerOp;
        report.AddCapacity(threads, _capacity);
    }

    private void InstallEmpty()
    {
        Record("install_empty", Contender.WorkPool, InstallsPerRound, Repeat(InstallsPerRound, () => Installs.WorkPool(pool)));
        Record("install_empty", Contender.Tpl, InstallsPerRound, Repeat(InstallsPerRound, Installs.Tpl));
    }

    private void InstallNested()
    {
        // One outer Install per round; inside it, on a worker, every Install is a plain call.
        Record("install_nested", Contender.WorkPool, NestedInstallsPerRound, () => pool.Install(pool, static p =>
        {
            for (int i = 0; i < NestedInstallsPerRound; i++)
            {
                Installs.WorkPool(p);
            }
        }));
    }

    private void InstallContended()
    {
        const long opsPerRound = Installs.ContendedCallers * ContendedInstallsPerCaller;
        using (ThreadGang callers = Installs.ContendedWorkPool(pool, ContendedInstallsPerCaller))
        {
            Record("install_contended", Contender.WorkPool, opsPerRound, callers.RunOnce);
        }

        using (ThreadGang callers = Installs.ContendedTpl(ContendedInstallsPerCaller))
        {
            Record("install_contended", Contender.Tpl, opsPerRound, callers.RunOnce);
        }
    }

    private void JoinFib()
    {
        long expected = Fib.Sequential(Fib.N);
        long expectedTpl = Fib.Sequential(Fib.TplN);
        long joins = Fib.JoinCount(Fib.N);
        Record("join_fib", Contender.WorkPool, joins, () => Expect(Fib.InstallWorkPool(pool, Fib.N), expected));
        Record("join_fib", Contender.Tpl, Fib.JoinCount(Fib.TplN), () => Expect(Fib.Tpl(Fib.TplN), expectedTpl));
        Record("join_fib", Contender.Sequential, joins, () => Expect(Fib.Sequential(Fib.N), expected));
    }

    private void Invoke4()
    {
        ulong expected = Invokes.Expected;
        Record("invoke_4", Contender.WorkPool, InvokesPerRound, Repeat(InvokesPerRound, () => Expect((long)Invokes.WorkPool(pool), (long)expected)));
        Record("invoke_4", Contender.Tpl, InvokesPerRound, Repeat(InvokesPerRound, () => Expect((long)Invokes.Tpl(), (long)expected)));
        Record("invoke_4", Contender.Sequential, InvokesPerRound, Repeat(InvokesPerRound, () => Expect((long)Invokes.Sequential(), (long)expected)));
    }

    private void TreeSum(string workload, int depth, int sumsPerRound)
    {
        TreeNode tree = BinaryTree.Build(depth);
        long nodes = BinaryTree.NodeCount(depth);
        long expected = nodes * (nodes + 1) / 2;
        long opsPerRound = nodes * sumsPerRound;
        Record(workload, Contender.WorkPool, opsPerRound, Repeat(sumsPerRound, () => Expect(BinaryTree.InstallWorkPool(pool, tree), expected)));
        Record(workload, Contender.Tpl, opsPerRound, Repeat(sumsPerRound, () => Expect(BinaryTree.Tpl(tree), expected)));
        Record(workload, Contender.Sequential, opsPerRound, Repeat(sumsPerRound, () => Expect(BinaryTree.Sequential(tree), expected)));
    }

    private void ForSmall()
    {
        ulong[] expected = new ulong[WorkFunction.LoopLength];
        WorkFunction.SequentialLoop(expected);
        ulong[] output = new ulong[WorkFunction.LoopLength];
        RecordLoop(
            "for_small",
            SmallLoopsPerRound,
            Repeat(SmallLoopsPerRound, () => Loops.SmallWorkPool(pool, output)),
            Repeat(SmallLoopsPerRound, () => Loops.SmallTpl(output)),
            Repeat(SmallLoopsPerRound, () => WorkFunction.SequentialLoop(output)),
            reset: () => Array.Clear(output),
            check: () => ExpectEqual(output, expected));
    }

    private void ForTiny()
    {
        int[] expected = Enumerable.Range(0, Loops.TinyLength).ToArray();
        int[] output = new int[Loops.TinyLength];
        Record("for_tiny", Contender.WorkPool, TinyLoopsPerRound, Repeat(TinyLoopsPerRound, () => Loops.TinyWorkPool(pool, output)));
        ExpectEqual(output, expected);
        Array.Clear(output);
        Record("for_tiny", Contender.Tpl, TinyLoopsPerRound, Repeat(TinyLoopsPerRound, () => Loops.TinyTpl(output)));
        ExpectEqual(output, expected);
    }

    /// <param name="withSequential">Also the jobs run one after another on this thread (only the sweep's speedups need it).</param>
    private void ScopeSpawn(bool withSequential = false)
    {
        const long opsPerRound = (long)ScopesPerRound * Scopes.JobsPerScope;
        long expected = Scopes.ExpectedPerScope;
        var tasks = new Task[Scopes.JobsPerScope];
        Record("scope_spawn", Contender.WorkPool, opsPerRound, Repeat(ScopesPerRound, () => Expect(Scopes.WorkPool(pool), expected)));
        Record("scope_spawn", Contender.Tpl, opsPerRound, Repeat(ScopesPerRound, () => Expect(Scopes.Tpl(tasks), expected)));
        if (withSequential)
        {
            Record("scope_spawn", Contender.Sequential, opsPerRound, Repeat(ScopesPerRound, () => Expect(Scopes.Sequential(), expected)));
        }
    }

    private void LateIdleJoin()
    {
        using LateIdle lateIdle = LateIdle.Calibrated(pool);
        Measurement workPool = QuickHarness.MeasureSelfTimed(LateIdleJoinsPerRound, () =>
        {
            double ns = 0;
            for (int i = 0; i < LateIdleJoinsPerRound; i++)
            {
                ns += lateIdle.WorkPool().TotalNanoseconds;
            }

            return ns;
        });
        report.Add("late_idle", Contender.WorkPool, pool.ThreadCount, workPool);
        report.AddNote($"late_idle: halves of {lateIdle.HalfIterations} Work calls (~{LateIdle.HalfTarget.TotalMilliseconds} ms), a busy job of {lateIdle.BusyIterations} (~{LateIdle.BusyTarget.TotalMilliseconds} ms) on each of the {pool.ThreadCount} workers; ideal WorkPool/sequential = {(LateIdle.BusyTarget + LateIdle.HalfTarget) / (2 * LateIdle.HalfTarget):F2}x");
        report.AddNote($"late_idle: every worker was busy when the Join began in {lateIdle.Joins - lateIdle.JoinsNotAllBusy} of {lateIdle.Joins} Joins (warm-up included)");
        Record("late_idle", Contender.Sequential, LateIdleJoinsPerRound, Repeat(LateIdleJoinsPerRound, lateIdle.Sequential));
        if (PoolStatistics.IsEnabled)
        {
            // Why the figure is what it is: did the idle worker take B? (An extra round, outside the measurement.)
            PoolStatistics before = pool.GetStatistics();
            for (int i = 0; i < LateIdleJoinsPerRound; i++)
            {
                lateIdle.WorkPool();
            }

            long forked = pool.GetStatistics().Total.JoinHalvesTaken - before.Total.JoinHalvesTaken;
            report.AddNote($"late_idle: in an extra round of {LateIdleJoinsPerRound} Joins, {forked} second halves ran as jobs (pool statistics, JoinHalvesTaken)");
        }
    }

    private void ForNested()
    {
        ulong[] expected = new ulong[NestedLoop.OutputLength];
        NestedLoop.Sequential(expected);
        ulong[] output = new ulong[NestedLoop.OutputLength];
        RecordLoop(
            "for_nested",
            NestedLoopsPerRound,
            Repeat(NestedLoopsPerRound, () => NestedLoop.WorkPool(pool, output)),
            Repeat(NestedLoopsPerRound, () => NestedLoop.Tpl(output)),
            Repeat(NestedLoopsPerRound, () => NestedLoop.Sequential(output)),
            reset: () => Array.Clear(output),
            check: () => ExpectEqual(output, expected));
    }

    private void ForCoarse()
    {
        ulong[] expected = new ulong[CoarseLoop.Length];
        CoarseLoop.Sequential(expected);
        ulong[] output = new ulong[CoarseLoop.Length];
        RecordLoop(
            "for_coarse",
            CoarseLoopsPerRound,
            Repeat(CoarseLoopsPerRound, () => CoarseLoop.WorkPool(pool, output)),
            Repeat(CoarseLoopsPerRound, () => CoarseLoop.Tpl(output)),
            Repeat(CoarseLoopsPerRound, () => CoarseLoop.Sequential(output)),
            reset: () => Array.Clear(output),
            check: () => ExpectEqual(output, expected));
    }

    private void ForMatmul()
    {
        var product = new MatrixProduct();
        double[] expected = new double[MatrixProduct.Size * MatrixProduct.Size];
        product.Sequential(expected);
        double[] output = new double[expected.Length];
        RecordLoop(
            "for_matmul",
            MatrixProductsPerRound,
            Repeat(MatrixProductsPerRound, () => product.WorkPool(pool, output)),
            Repeat(MatrixProductsPerRound, () => product.Tpl(output)),
            Repeat(MatrixProductsPerRound, () => product.Sequential(output)),
            reset: () => Array.Clear(output),
            check: () => ExpectEqual(output, expected));
    }

    /// <summary>
    /// A loop workload: the sequential version first (for the efficiency figures), then WorkPool
    /// and the TPL, each checked; prints the three lines, the parallel ones with
    /// <c>efficiency=</c> = sequential / (time × capacity).
    /// </summary>
    private void RecordLoop(string workload, long opsPerRound, Action workPool, Action tpl, Action sequential, Action reset, Action check)
    {
        Measurement sequentialTime = QuickHarness.Measure(opsPerRound, sequential);
        reset();
        Measurement workPoolTime = QuickHarness.Measure(opsPerRound, workPool);
        check();
        reset();
        Measurement tplTime = QuickHarness.Measure(opsPerRound, tpl);
        check();
        report.Add(workload, Contender.WorkPool, pool.ThreadCount, workPoolTime, QuickReport.Efficiency(workPoolTime.NsPerOp, sequentialTime.NsPerOp, _capacity));
        report.Add(workload, Contender.Tpl, TplThreads, tplTime, QuickReport.Efficiency(tplTime.NsPerOp, sequentialTime.NsPerOp, _capacity));
        report.Add(workload, Contender.Sequential, 1, sequentialTime);
    }

    private void FrameLoop()
    {
        ulong[] output = new ulong[WorkFunction.LoopLength];
        double[] frames = new double[Workloads.FrameLoop.Frames];
        FrameFigures(Contender.WorkPool, pool.ThreadCount, () => Loops.SmallWorkPool(pool, output), frames);
        FrameFigures(Contender.Tpl, TplThreads, () => Loops.SmallTpl(output), frames);
    }

    private void FrameFigures(Contender contender, int threads, Action frame, double[] frames)
    {
        double cpuPercent = Workloads.FrameLoop.Run(frame, frames, out long bytes);
        double p50 = Percentile.Of(frames, 50);
        double p99 = Percentile.Of(frames, 99);
        report.Add("frame_loop", contender, threads, new Measurement(p50, (double)bytes / frames.Length), QuickReport.Latency(p50, p99, cpuPercent));
    }

    private void InstallAsync()
    {
        using (AsyncInstalls workPool = AsyncInstalls.ForWorkPool(pool, AsyncInstallsPerRound))
        {
            Record("install_async", Contender.WorkPool, AsyncInstallsPerRound, workPool.RunRound);
        }

        using (AsyncInstalls tpl = AsyncInstalls.ForTpl(AsyncInstallsPerRound))
        {
            Record("install_async", Contender.Tpl, AsyncInstallsPerRound, tpl.RunRound);
        }
    }

    /// <summary>64 async callers x 50 awaits each; the line's ns_per_op is the median await, with p50_ns and p99_ns over the last rounds' awaits (bytes include the harness's own tasks).</summary>
    private void InstallAsyncConcurrent()
    {
        ConcurrentFigures(Contender.WorkPool, pool.ThreadCount, pool);
        ConcurrentFigures(Contender.Tpl, TplThreads, null);
    }

    private void ConcurrentFigures(Contender contender, int threads, WorkStealingPool? target)
    {
        const int Rounds = 6;
        double[] round = new double[ConcurrentAsyncInstalls.AwaitsPerRound];
        double[] all = new double[ConcurrentAsyncInstalls.AwaitsPerRound * (Rounds - 1)];
        ConcurrentAsyncInstalls.Round(target, round); // warm-up
        long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 1; r < Rounds; r++)
        {
            ConcurrentAsyncInstalls.Round(target, round);
            Array.Copy(round, 0, all, (r - 1) * round.Length, round.Length);
        }

        long bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        double p50 = Percentile.Of(all, 50);
        double p99 = Percentile.Of(all, 99);
        report.Add("install_async_concurrent", contender, threads, new Measurement(p50, (double)bytes / all.Length), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"p50_ns={p50:F0} p99_ns={p99:F0}"));
    }

    private void ObjectPool()
    {
        long opsPerRound = (long)pool.ThreadCount * ObjectPoolOpsPerWorker;
        var workPool = ObjectPools.WorkPool(pool);
        Record("object_pool", Contender.WorkPool, opsPerRound, () => ObjectPools.Round(pool, workPool, ObjectPoolOpsPerWorker));
        var defaultPool = ObjectPools.Default();
        report.Add("object_pool", Contender.DefaultObjectPool, pool.ThreadCount, QuickHarness.Measure(opsPerRound, () => ObjectPools.Round(pool, defaultPool, ObjectPoolOpsPerWorker)));
    }

    private void InstallFlooded()
    {
        const string workload = "install_under_flood";
        double workPoolP99;
        double tplP99;
        using (InstallUnderFlood flood = InstallUnderFlood.ForWorkPool(pool, FloodInstallsPerCaller))
        {
            report.Add(workload, Contender.WorkPool, pool.ThreadCount, QuickHarness.MeasureSelfTimed(flood.InstallsPerRound, flood.RunRound));
            workPoolP99 = CheckFlood(flood, Contender.WorkPool);
        }

        using (InstallUnderFlood flood = InstallUnderFlood.ForTpl(FloodInstallsPerCaller))
        {
            report.Add(workload, Contender.Tpl, TplThreads, QuickHarness.MeasureSelfTimed(flood.InstallsPerRound, flood.RunRound));
            tplP99 = CheckFlood(flood, Contender.Tpl);
        }

        report.AddPercentile(workload, "p99", workPoolP99, tplP99);
    }

    /// <summary>Reports a failed exactly-once check and the flood's size; returns the p99 Install latency of the timed rounds.</summary>
    private double CheckFlood(InstallUnderFlood flood, Contender contender)
    {
        if (flood.Failures > 0)
        {
            report.Fail($"install_under_flood ({contender.Label()}): {flood.Failures} exactly-once violations, first: {flood.FirstFailure}");
        }

        report.AddNote($"install_under_flood ({contender.Label()}): {flood.LastFloodCount} flood jobs ran during the last round's {flood.InstallsPerRound} Installs");
        double[] latencies = new double[InstallUnderFlood.KeptRounds * flood.InstallsPerRound];
        int count = flood.CopyKeptLatencies(latencies);
        return Percentile.Of(latencies.AsSpan(0, count), 99);
    }

    private void WakeAfterIdle()
    {
        LatencyTrials workPool = WakeLatency.WorkPool(pool);
        report.Add("wake_latency", Contender.WorkPool, pool.ThreadCount, workPool.Measurement);
        LatencyTrials tpl = WakeLatency.Tpl();
        report.Add("wake_latency", Contender.Tpl, TplThreads, tpl.Measurement);
        report.AddPercentile("wake_latency", "p90", workPool.P90Ns, tpl.P90Ns);
        if (workPool.TrialsNotAsleep > 0)
        {
            report.AddNote($"wake_latency: in {workPool.TrialsNotAsleep} of {WakeLatency.Trials} trials not every worker was asleep after {WakeLatency.Idle.TotalMilliseconds} ms + {WakeLatency.MaxExtraIdle.TotalMilliseconds} ms idle");
        }
    }

    private static void ExpectEqual<T>(T[] actual, T[] expected)
    {
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException("Wrong loop output.");
        }
    }

    private void IdleCpu()
    {
        using (var idlePool = new WorkStealingPool(poolOptions))
        {
            report.AddIdleCpu(Contender.WorkPool, idlePool.ThreadCount, IdleCpuPercent(() => Installs.WorkPool(idlePool)));
        }

        report.AddIdleCpu(Contender.Tpl, TplThreads, IdleCpuPercent(Installs.Tpl));
    }

    /// <summary>Runs <paramref name="once"/>, then sleeps 1 s: the process CPU time of that second, in percent of one core.</summary>
    private static double IdleCpuPercent(Action once)
    {
        once();
        TimeSpan cpuBefore = ProcessCpuTime();
        long start = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(1));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return (ProcessCpuTime() - cpuBefore) / elapsed * 100;
    }

    private static TimeSpan ProcessCpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Measures <paramref name="threads"/> plain threads running <paramref name="body"/> at once; one round is <paramref name="opsPerThread"/> operations per thread.</summary>
    private static Measurement MeasureGang(int threads, long opsPerThread, Action<int> body)
    {
        using var gang = new ThreadGang(threads, body);
        return QuickHarness.Measure(threads * opsPerThread, gang.RunOnce);
    }

    private static Action Repeat(int count, Action operation) => () =>
    {
        for (int i = 0; i < count; i++)
        {
            operation();
        }
    };

    private static void Expect(long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"Wrong result: {actual}, expected {expected}.");
        }
    }

    private void Record(string workload, Contender contender, long opsPerRound, Action round)
    {
        int threads = contender switch
        {
            Contender.WorkPool => pool.ThreadCount,
            Contender.Tpl => TplThreads,
            _ => 1,
        };
        report.Add(workload, contender, threads, QuickHarness.Measure(opsPerRound, round));
    }
}
