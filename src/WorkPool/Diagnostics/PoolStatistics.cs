using System.Diagnostics;
using System.Globalization;

namespace WorkPool.Diagnostics;

/// <summary>
/// A snapshot of a pool's statistics: one <see cref="ThreadStatistics"/> row per worker and per
/// outside thread that called into the pool, their <see cref="Total"/>, and the pool's current
/// state. Fill it with <see cref="WorkStealingPool.GetStatistics(PoolStatistics)"/>; reuse the
/// same instance and reading allocates nothing after the first fill.
/// </summary>
/// <remarks>
/// <para>Reading takes no lock and never stops or slows the workers: each counter is written
/// by its own thread only and read with a volatile load, so a snapshot taken while the pool is
/// busy is a consistent value per counter, not one instant of the whole pool. Counters only
/// grow; the difference of two snapshots is the work done in between.</para>
/// <para>An instance is not thread-safe: fill and read it from one thread at a time. The rows
/// stay valid until the next fill.</para>
/// </remarks>
public sealed class PoolStatistics
{
    /// <summary>
    /// The <see cref="AppContext"/> switch that turns counting off for the whole process (set it
    /// before the first pool is created, e.g. <c>&lt;RuntimeHostConfigurationOption
    /// Include="WorkPool.Statistics.Disable" Value="true" /&gt;</c> in the project). Every counter
    /// then stays 0 and the counting code is compiled out.
    /// </summary>
    public const string DisableSwitchName = "WorkPool.Statistics.Disable";

    private ThreadStatistics[] _rows = [];
    private int _rowCount;
    private int _workerCount;
    private int _guestCount;

    /// <summary>Creates an empty snapshot; its storage is sized by the first fill.</summary>
    public PoolStatistics()
    {
    }

    /// <summary>False when counting is disabled in this process (<see cref="DisableSwitchName"/>): every counter is then 0.</summary>
    public static bool IsEnabled => Statistics.IsEnabled;

    /// <summary>The pool's <see cref="WorkStealingPool.Name"/>.</summary>
    public string PoolName { get; private set; } = string.Empty;

    /// <summary>
    /// The engine's estimate, when the snapshot was taken, of what moving work to an idle
    /// participant costs on this machine: measured from the wake-ups the pools of this process
    /// performed (20 µs until one was measured). Work is shared only once it has run this long,
    /// and every other sharing threshold derives from it (docs/design/sharing-clock.md).
    /// </summary>
    public TimeSpan HandOff { get; private set; }

    /// <summary>
    /// The engine's estimate of what it costs to hand work to a participant that is searching
    /// (from the share to the searcher running it), measured from parallel loops' helpers; at most
    /// <see cref="HandOff"/>, and equal to it until measured. Process-wide, like <see cref="HandOff"/>.
    /// </summary>
    public TimeSpan StealHandOff { get; private set; }

    /// <summary>Worker threads of the pool.</summary>
    public int WorkerCount => _workerCount;

    /// <summary>How many outside threads can hold a slot of their own at once (<see cref="WorkStealingPoolOptions.StatisticsSlots"/>); more share one slot.</summary>
    public int OutsideSlotCapacity { get; private set; }

    /// <summary>Jobs waiting in the injector ring when the snapshot was taken.</summary>
    public int InjectorDepth { get; private set; }

    /// <summary>Workers searching for work when the snapshot was taken.</summary>
    public int SearchingWorkers { get; private set; }

    /// <summary>Workers asleep when the snapshot was taken.</summary>
    public int SleepingWorkers { get; private set; }

    /// <summary>Workers running jobs (neither searching nor asleep) when the snapshot was taken; 0 once the pool is disposed.</summary>
    public int BusyWorkers => IsDisposed ? 0 : Math.Max(0, _workerCount - SearchingWorkers - SleepingWorkers);

    /// <summary>
    /// Whether the pool had been disposed when the snapshot was taken: it accepts no more work and
    /// its workers have exited (or are draining their last jobs while <see cref="WorkStealingPool.Dispose"/>
    /// runs), so none is counted busy, searching or asleep; the rows hold the final figures.
    /// </summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The sum over all rows (<see cref="ThreadStatistics.MaxDequeDepth"/>: the maximum).</summary>
    public ThreadStatistics Total { get; private set; }

    /// <summary>One row per worker, by index.</summary>
    public ReadOnlySpan<ThreadStatistics> Workers => new(_rows, 0, _workerCount);

    /// <summary>One row per outside-thread slot ever used (and the shared slot, if it was used).</summary>
    public ReadOnlySpan<ThreadStatistics> OutsideThreads => new(_rows, _workerCount + _guestCount, _rowCount - _workerCount - _guestCount);

    /// <summary>One row per guest slot (the participants that outside threads become for the length of a call), by participant index.</summary>
    public ReadOnlySpan<ThreadStatistics> Guests => new(_rows, _workerCount, _guestCount);

    /// <summary>Writes the report that <see cref="ToString"/> returns.</summary>
    /// <param name="output">Receives the lines.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(Format(
            $"WorkPool statistics: pool \"{PoolName}\", {WorkerCount} workers ({(IsDisposed ? "disposed: exited" : $"busy {BusyWorkers}, searching {SearchingWorkers}, asleep {SleepingWorkers}")}), injector depth {InjectorDepth}, hand-off {HandOff.TotalMicroseconds:F1} µs (to a searcher {StealHandOff.TotalMicroseconds:F1} µs), outside-thread slots in use {OutsideThreads.Length} (capacity {OutsideSlotCapacity} + 1 shared){(IsEnabled ? "" : " -- statistics are disabled in this process (" + DisableSwitchName + ")")}"));
        output.WriteLine(Format(
            $"{"worker",-8} {"jobs run",12} {"from ring",12} {"spawned",10} {"stolen",10} {"failed steal",12} {"joins inline",14} {"promoted",10} {"taken back",10} {"halves taken",12} {"sleeps",8} {"wakeups",8} {"max deque",9} {"allocated B",14}"));
        ThreadStatistics workers = default;
        foreach (ThreadStatistics row in Workers)
        {
            WriteWorkerRow(output, row.WorkerIndex.ToString(CultureInfo.InvariantCulture), row);
            workers = ThreadStatistics.Sum(workers, row);
        }

        foreach (ThreadStatistics row in Guests)
        {
            WriteWorkerRow(output, "g" + row.WorkerIndex.ToString(CultureInfo.InvariantCulture), row);
            workers = ThreadStatistics.Sum(workers, row);
        }

        WriteWorkerRow(output, "total", workers);
        output.WriteLine(Format($"{"outside thread",-16} {"installs",12} {"ring full",10} {"blocked ms",12} {"threads",8}"));
        ThreadStatistics outside = default;
        foreach (ThreadStatistics row in OutsideThreads)
        {
            string who = row.Kind == ThreadStatisticsKind.SharedOutsideSlot ? "shared" : "#" + row.ManagedThreadId.ToString(CultureInfo.InvariantCulture);
            WriteOutsideRow(output, who, row);
            outside = ThreadStatistics.Sum(outside, row);
        }

        WriteOutsideRow(output, "total", outside);
    }

    /// <summary>A readable multi-line report for logs: the pool's state, a table of the workers' counters and one of the outside threads'.</summary>
    /// <returns>The report, lines ended by <see cref="Environment.NewLine"/>.</returns>
    public override string ToString()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    /// <summary>Starts a fill: the pool's identity and state.</summary>
    internal void Begin(string poolName, bool disposed, int workerCount, int guestCount, int outsideSlotCapacity, int injectorDepth, int searching, int sleeping)
    {
        PoolName = poolName;
        IsDisposed = disposed;
        _workerCount = workerCount;
        _guestCount = guestCount;
        OutsideSlotCapacity = outsideSlotCapacity;
        InjectorDepth = injectorDepth;
        SearchingWorkers = disposed ? 0 : searching;
        SleepingWorkers = disposed ? 0 : sleeping;
        HandOff = Stopwatch.GetElapsedTime(0, SharingClock.HandOffTicks);
        StealHandOff = Stopwatch.GetElapsedTime(0, SharingClock.StealHandOffTicks);
        _rowCount = 0;
        Total = default;
    }

    /// <summary>Makes room for <paramref name="rows"/> rows (allocates only when the snapshot is smaller: the first fill).</summary>
    internal void EnsureRows(int rows)
    {
        if (_rows.Length < rows)
        {
            _rows = new ThreadStatistics[rows];
        }
    }

    internal void AddRow(in ThreadStatistics row)
    {
        _rows[_rowCount++] = row;
        Total = ThreadStatistics.Sum(Total, row);
    }

    private static void WriteWorkerRow(TextWriter output, string who, in ThreadStatistics row) => output.WriteLine(Format(
        $"{who,-8} {row.JobsRun,12} {row.InjectorJobs,12} {row.JobsSpawned,10} {row.JobsStolen,10} {row.FailedSteals,12} {row.JoinsInline,14} {row.JoinsPromoted,10} {row.JoinsTakenBack,10} {row.JoinHalvesTaken,12} {row.Sleeps,8} {row.Wakeups,8} {row.MaxDequeDepth,9} {row.AllocatedBytes,14}"));

    private static void WriteOutsideRow(TextWriter output, string who, in ThreadStatistics row) => output.WriteLine(Format(
        $"{who,-16} {row.Installs,12} {row.RingFullWaits,10} {row.RingBlockedTime.TotalMilliseconds,12:F1} {row.ThreadsServed,8}"));

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
