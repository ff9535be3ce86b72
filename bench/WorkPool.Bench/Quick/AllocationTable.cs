using System.Globalization;

namespace WorkPool.Bench.Quick;

/// <summary>
/// The allocation-statistics table of DESIGN.md for a pool's life (construct, first, second and
/// next 1000 Installs, dispose), with TPL's <c>Task.Run(...).Wait()</c> beside it. Bytes are
/// process-wide deltas of <c>GC.GetTotalAllocatedBytes(precise: true)</c>, so they include what
/// worker threads allocate. There is no "Events" column: .NET cannot count allocations exactly.
/// </summary>
internal static class AllocationTable
{
    private const int Repetitions = 1000;

    /// <summary>Must run before anything else in the process touches a pool, so that "1st time" is the first time.</summary>
    internal static void Print(TextWriter output, WorkStealingPoolOptions poolOptions)
    {
        // Warm the measuring path itself, and create every delegate up front: a lambda's delegate
        // (even a static one's cached instance) is allocated the first time its expression runs,
        // which must not land in a row.
        _ = BytesAllocatedBy(static () => { });
        Action empty = static () => { };
        WorkStealingPool? pool = null;
        Action install = () => pool!.Install(empty);
        Action taskRun = () => Task.Run(empty).Wait();

        Row[] workPool =
        [
            new("construct pool", BytesAllocatedBy(() => pool = new WorkStealingPool(poolOptions))),
            new("pool.Install(() => {}) -- 1st time", BytesAllocatedBy(install)),
            new("pool.Install(() => {}) -- 2nd time", BytesAllocatedBy(install)),
            new($"pool.Install(() => {{}}) -- next {Repetitions} times", BytesAllocatedBy(() => Repeat(install))),
            new("dispose", BytesAllocatedBy(() => pool!.Dispose())),
        ];
        Row[] tpl =
        [
            new("construct pool", null),
            new("Task.Run(() => {}).Wait() -- 1st time", BytesAllocatedBy(taskRun)),
            new("Task.Run(() => {}).Wait() -- 2nd time", BytesAllocatedBy(taskRun)),
            new($"Task.Run(() => {{}}).Wait() -- next {Repetitions} times", BytesAllocatedBy(() => Repeat(taskRun))),
            new("dispose", null),
        ];

        string[] left = Array.ConvertAll(workPool, static row => row.Format());
        int width = left.Max(static line => line.Length) + 4;
        output.WriteLine($"Allocation statistics, process-wide bytes (GC.GetTotalAllocatedBytes(precise: true)); WorkPool ThreadCount={poolOptions.ThreadCount.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine("WorkPool".PadRight(width) + "TPL (shared ThreadPool)");
        for (int i = 0; i < left.Length; i++)
        {
            output.WriteLine(left[i].PadRight(width) + tpl[i].Format());
        }

        output.WriteLine();
    }

    private static long BytesAllocatedBy(Action step)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        step();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static void Repeat(Action operation)
    {
        for (int i = 0; i < Repetitions; i++)
        {
            operation();
        }
    }

    /// <param name="Step">The row's label.</param>
    /// <param name="Bytes">Bytes allocated, or null where the contender has no such step.</param>
    private readonly record struct Row(string Step, long? Bytes)
    {
        internal string Format() => Bytes is { } bytes
            ? $"\"{Step}\" -- Bytes: {bytes.ToString(CultureInfo.InvariantCulture)}"
            : $"\"{Step}\" -- n/a";
    }
}
