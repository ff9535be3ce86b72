using System.Globalization;
using WorkPool.Diagnostics;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The allocation-statistics table of DESIGN.md for a pool's life, WorkPool and TPL side by side:
/// construction, then for each operation (Install, Join, For) its 1st call, 2nd call and next
/// 1000 calls, then dispose. Measured with <see cref="AllocationStatistics"/> (the library's own
/// recorder): bytes are process-wide deltas of <c>GC.GetTotalAllocatedBytes(precise: true)</c>, so
/// they include what worker threads allocate; "this thread" is the benchmark thread alone. There
/// is no "Events" column: .NET cannot count allocations exactly.
/// </summary>
internal static class AllocationTable
{
    private const int Repetitions = 1000;
    private const int LoopLength = 64;

    private static readonly int[] s_loopOutput = new int[LoopLength];

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
        return
        [
            new("pool.Install(() => {})", () => pool().Install(empty), "Task.Run(() => {}).Wait()", () => Task.Run(empty).Wait()),
            new("pool.Join(() => {}, () => {})", () => pool().Join(empty, empty), "Parallel.Invoke(() => {}, () => {})", () => Parallel.Invoke(empty, empty)),
            new(
                $"pool.For(0, {LoopLength}, output, static (o, i) => o[i] = i)",
                () => pool().For(0, LoopLength, s_loopOutput, store),
                $"Parallel.For(0, {LoopLength}, static i => output[i] = i)",
                () => Parallel.For(0, LoopLength, storeTpl)),

            // Scope/Spawn goes here once it lands: WorkPool "pool.Scope(s => 1000 x s.Spawn(...))"
            // against TPL "1000 x Task.Run(...) + Task.WaitAll", both through cached delegates.
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

    /// <summary>One row group: the WorkPool operation and its TPL counterpart, each with its label.</summary>
    private sealed record Operation(string WorkPoolLabel, Action WorkPool, string TplLabel, Action Tpl);
}
