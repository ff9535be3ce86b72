using System.Globalization;
using Microsoft.Extensions.ObjectPool;
using WorkPool.Bench.Workloads;
using WorkPool.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The allocation-statistics table of DESIGN.md for a pool's life, WorkPool and TPL side by side:
/// construction, then for each operation (Install, Join, For, Scope/Spawn) its 1st call, 2nd call and next
/// 1000 calls, then dispose. With <c>--repeat N</c> the "next 1000 calls" rows are measured again
/// over N fresh pools and the worst of each is printed. Measured with <see cref="AllocationStatistics"/> (the library's own
/// recorder): bytes are process-wide deltas of <c>GC.GetTotalAllocatedBytes(precise: true)</c>, so
/// they include what worker threads allocate; "this thread" is the benchmark thread alone. There
/// is no "Events" column: .NET cannot count allocations exactly.
/// </summary>
internal static class AllocationTable
{
    private const int Repetitions = 1000;
    private const int LoopLength = 64;

    private const int SpawnsPerScope = 10;

    private static readonly int[] s_loopOutput = new int[LoopLength];
    private static readonly List<int> s_list = [.. Enumerable.Range(0, LoopLength)];
    private static readonly Task[] s_tasks = new Task[SpawnsPerScope];
    private static readonly SpawnCounter s_spawned = new();
    private static readonly SpawnCounter s_queued = new();

    /// <summary>
    /// The operations of the table, in order. Each delegate is created here, before anything is
    /// measured: a lambda's delegate (even a static one's cached instance) is allocated the first
    /// time its expression runs, which must not land in a row.
    /// </summary>
    private static Operation[] Operations(Func<WorkStealingPool> pool)
    {
        Action empty = static () => { };
        Action<int[], int> store = static (output, i) => output[i] = i;
        Action<int> storeTpl = static i => s_loopOutput[i] = i;
        Action<SpawnCounter> count = static counter => Interlocked.Increment(ref counter.Ran);
        Action scopeTpl = () =>
        {
            for (int i = 0; i < s_tasks.Length; i++)
            {
                s_tasks[i] = Task.Run(empty);
            }

            Task.WaitAll(s_tasks);
        };
        var asyncInstalls = new PerPool<AsyncInstalls>(pool, static p => AsyncInstalls.ForWorkPool(p, awaitsPerRound: 1));
        AsyncInstalls? asyncTpl = null;
        var objectPools = new PerPool<ObjectPool<ObjectPools.Scratch>>(pool, ObjectPools.WorkPool);
        ObjectPool<ObjectPools.Scratch> defaultObjectPool = ObjectPools.Default();
        return
        [
            new("pool.Install(() => {})", () => pool().Install(empty), "Task.Run(() => {}).Wait()", () => Task.Run(empty).Wait()),
            new("pool.Join(() => {}, () => {})", () => pool().Join(empty, empty), "Parallel.Invoke(() => {}, () => {})", () => Parallel.Invoke(empty, empty)),
            new("pool.Invoke(4 x () => {})", () => pool().Invoke(empty, empty, empty, empty), "Parallel.Invoke(4 x () => {})", () => Parallel.Invoke(empty, empty, empty, empty)),
            new(
                $"pool.ForEach(list of {LoopLength}, output, static (o, x) => o[x] = x)",
                () => pool().ForEach(s_list, s_loopOutput, static (o, x) => o[x] = x),
                $"Parallel.ForEach(list of {LoopLength}, x => output[x] = x)",
                () => Parallel.ForEach(s_list, static x => s_loopOutput[x] = x)),
            new(
                $"pool.For(0, {LoopLength}, output, static (o, i) => o[i] = i)",
                () => pool().For(0, LoopLength, s_loopOutput, store),
                $"Parallel.For(0, {LoopLength}, static i => output[i] = i)",
                () => Parallel.For(0, LoopLength, storeTpl)),
            new(
                $"pool.Scope(ref body) with {SpawnsPerScope} x scope.Spawn(job)",
                () =>
                {
                    var body = new SpawnEmpty();
                    pool().Scope(ref body);
                },
                $"{SpawnsPerScope} x Task.Run(() => {{}}) + Task.WaitAll",
                scopeTpl),
            new(
                "pool.Spawn(counter, static job), wait on the counter",
                () =>
                {
                    s_spawned.Queued++;
                    pool().Spawn(s_spawned, count);
                    s_spawned.WaitForAll();
                },
                "ThreadPool.UnsafeQueueUserWorkItem(static job, counter, false), wait",
                () =>
                {
                    s_queued.Queued++;
                    ThreadPool.UnsafeQueueUserWorkItem(count, s_queued, preferLocal: false);
                    s_queued.WaitForAll();
                }),
            new(
                "await pool.InstallAsync(i, static s => ...) in an async loop",
                () => asyncInstalls.Get().RunRound(),
                "await Task.Run(static () => {}) in an async loop",
                () => (asyncTpl ??= AsyncInstalls.ForTpl(awaitsPerRound: 1)).RunRound()),
            new(
                "pool.CreateObjectPool(policy): Get + Return (outside thread)",
                () =>
                {
                    ObjectPool<ObjectPools.Scratch> objects = objectPools.Get();
                    objects.Return(objects.Get());
                },
                "DefaultObjectPool<T>: Get + Return",
                () => defaultObjectPool.Return(defaultObjectPool.Get())),
        ];
    }

    /// <summary>Must run before anything else in the process touches a pool, so that "1st time" is the first time.</summary>
    internal static void Print(TextWriter output, WorkStealingPoolOptions poolOptions)
    {
        WorkStealingPool? pool = null;
        Operation[] operations = Operations(() => pool!);
        int steps = 2 + (3 * operations.Length);
        var workPool = new AllocationStatistics(steps + 1);
        var tpl = new AllocationStatistics(steps + 1);

        // Warm the recorder itself (its generic path and the clock reads), then start afresh.
        Action nothing = static () => { };
        workPool.Measure("warm-up", nothing);
        tpl.Measure("warm-up", nothing);
        workPool.Clear();
        tpl.Clear();

        // Rows where TPL has no counterpart: index into workPool's steps, "n/a" on the right.
        var notApplicable = new HashSet<int>();
        notApplicable.Add(workPool.Count);
        workPool.Measure("construct pool", () => pool = new WorkStealingPool(poolOptions));
        tpl.Measure("construct pool", nothing);
        foreach (Operation operation in operations)
        {
            Action repeatWorkPool = () => Repeat(operation.WorkPool);
            Action repeatTpl = () => Repeat(operation.Tpl);
            workPool.Measure($"{operation.WorkPoolLabel} -- 1st time", operation.WorkPool);
            workPool.Measure($"{operation.WorkPoolLabel} -- 2nd time", operation.WorkPool);
            workPool.Measure($"{operation.WorkPoolLabel} -- next {Repetitions} times", repeatWorkPool);
            tpl.Measure($"{operation.TplLabel} -- 1st time", operation.Tpl);
            tpl.Measure($"{operation.TplLabel} -- 2nd time", operation.Tpl);
            tpl.Measure($"{operation.TplLabel} -- next {Repetitions} times", repeatTpl);
        }

        notApplicable.Add(workPool.Count);
        workPool.Measure("dispose", () => pool!.Dispose());
        tpl.Measure("dispose", nothing);

        string[] left = Lines(workPool, notApplicable: null);
        string[] right = Lines(tpl, notApplicable);
        int width = left.Max(static line => line.Length) + 4;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Allocation statistics (WorkPool.Diagnostics.AllocationStatistics): process-wide bytes, the benchmark thread's share, and GCs; WorkPool ThreadCount={poolOptions.ThreadCount}"));
        output.WriteLine("WorkPool".PadRight(width) + "TPL (shared ThreadPool)");
        for (int i = 0; i < left.Length; i++)
        {
            output.WriteLine(left[i].PadRight(width) + right[i]);
        }

        output.WriteLine();
    }

    /// <summary>
    /// <c>--repeat N</c>: N times a fresh pool runs each WorkPool operation twice (its 1st and 2nd
    /// time, not measured), then its "next 1000 times" row is measured; prints the worst row of
    /// each operation over the N pools, so the zero-allocation claim is checked across pools, not
    /// only in one.
    /// </summary>
    internal static void PrintWorstOverFreshPools(TextWriter output, WorkStealingPoolOptions poolOptions, int pools)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pools, 1);
        WorkStealingPool? pool = null;
        Operation[] operations = Operations(() => pool!);
        var repeats = new Action[operations.Length];
        for (int i = 0; i < operations.Length; i++)
        {
            Action operation = operations[i].WorkPool;
            repeats[i] = () => Repeat(operation);
        }

        var statistics = new AllocationStatistics(operations.Length);
        var worst = new AllocationStep[operations.Length];
        var worstPool = new int[operations.Length];
        for (int p = 1; p <= pools; p++)
        {
            pool = new WorkStealingPool(poolOptions);
            statistics.Clear();
            for (int i = 0; i < operations.Length; i++)
            {
                operations[i].WorkPool();
                operations[i].WorkPool();
                statistics.Measure($"{operations[i].WorkPoolLabel} -- next {Repetitions} times", repeats[i]);
            }

            pool.Dispose();
            for (int i = 0; i < operations.Length; i++)
            {
                AllocationStep step = statistics[i];
                if (p == 1 || step.Bytes > worst[i].Bytes)
                {
                    worst[i] = step;
                    worstPool[i] = p;
                }
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Worst \"next {Repetitions} times\" row of each WorkPool operation over {pools} fresh pools (process-wide bytes; the pool it happened in)"));
        int labelWidth = worst.Max(static step => step.Label.Length) + 2;
        long worstBytes = 0;
        for (int i = 0; i < worst.Length; i++)
        {
            AllocationStep step = worst[i];
            worstBytes = Math.Max(worstBytes, step.Bytes);
            string quoted = ("\"" + step.Label + "\"").PadRight(labelWidth);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{quoted}{step.ToString()[(step.Label.Length + 2)..]} -- pool {worstPool[i]} of {pools}"));
        }

        output.WriteLine(worstBytes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"zero allocation in steady state: holds in all {pools} pools")
            : string.Create(CultureInfo.InvariantCulture, $"zero allocation in steady state: does NOT hold (worst row {worstBytes} bytes)"));
        output.WriteLine();
    }

    private static string[] Lines(AllocationStatistics statistics, HashSet<int>? notApplicable)
    {
        int labelWidth = 0;
        foreach (AllocationStep step in statistics.Steps)
        {
            labelWidth = Math.Max(labelWidth, step.Label.Length + 2);
        }

        var lines = new string[statistics.Count];
        for (int i = 0; i < lines.Length; i++)
        {
            AllocationStep step = statistics[i];
            string quoted = ("\"" + step.Label + "\"").PadRight(labelWidth);
            lines[i] = notApplicable is not null && notApplicable.Contains(i)
                ? quoted + " -- n/a"
                : quoted + step.ToString()[(step.Label.Length + 2)..];
        }

        return lines;
    }

    private static void Repeat(Action operation)
    {
        for (int i = 0; i < Repetitions; i++)
        {
            operation();
        }
    }

    /// <summary>A scope body that spawns <see cref="SpawnsPerScope"/> empty struct jobs.</summary>
    private readonly struct SpawnEmpty : IScopeWork
    {
        public void Run(Scope scope)
        {
            for (int i = 0; i < SpawnsPerScope; i++)
            {
                scope.Spawn(default(EmptyJob));
            }
        }
    }

    private readonly struct EmptyJob : IScopeWork
    {
        public void Run(Scope scope)
        {
        }
    }

    /// <summary>Fire-and-forget jobs queued by the benchmark thread and how many of them have run: the wait of the Spawn row.</summary>
    private sealed class SpawnCounter
    {
        public int Ran;

        /// <summary>Jobs queued; written by the benchmark thread only.</summary>
        public int Queued;

        /// <summary>Spins (yielding, never sleeping) until every queued job has run.</summary>
        public void WaitForAll()
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref Ran) < Queued)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>Something made once per pool, on its first use (in the "1st time" row), and again when the table moves to a fresh pool.</summary>
    private sealed class PerPool<T>(Func<WorkStealingPool> pool, Func<WorkStealingPool, T> create)
    {
        private WorkStealingPool? _for;
        private T? _value;

        public T Get()
        {
            WorkStealingPool current = pool();
            if (_for != current)
            {
                _value = create(current);
                _for = current;
            }

            return _value!;
        }
    }

    /// <summary>One row group: the WorkPool operation and its TPL counterpart, each with its label.</summary>
    private sealed record Operation(string WorkPoolLabel, Action WorkPool, string TplLabel, Action Tpl);
}
