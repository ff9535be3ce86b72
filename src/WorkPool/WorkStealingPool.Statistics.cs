using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using WorkPool.Diagnostics;

namespace WorkPool;

public sealed partial class WorkStealingPool
{
    /// <summary>
    /// The pool's name in statistics reports and the <c>pool</c> tag of its metrics:
    /// <see cref="WorkStealingPoolOptions.Name"/>, or the thread name prefix when that is null.
    /// </summary>
    public string Name => _options.Name ?? _options.ThreadNamePrefix;

    /// <summary>
    /// Reads the pool's statistics into a new snapshot: per-worker and per-outside-thread counters
    /// and their total. Allocates the snapshot; use <see cref="GetStatistics(PoolStatistics)"/>
    /// with a reused one to read without allocating.
    /// </summary>
    /// <returns>The snapshot.</returns>
    /// <remarks>
    /// Takes no lock and never stops the workers (see <see cref="PoolStatistics"/>). Works on a
    /// disposed pool too: its final figures, with <see cref="PoolStatistics.IsDisposed"/> set and no worker busy.
    /// </remarks>
    public PoolStatistics GetStatistics()
    {
        var snapshot = new PoolStatistics();
        GetStatistics(snapshot);
        return snapshot;
    }

    /// <summary>
    /// Reads the pool's statistics into <paramref name="snapshot"/>, replacing what it held.
    /// Allocation-free once the snapshot has been filled by a pool of this size.
    /// </summary>
    /// <param name="snapshot">The snapshot to fill.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is null.</exception>
    public void GetStatistics(PoolStatistics snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.Begin(Name, IsDisposed, _workers.Length, _statistics.GuestCount, _statistics.OutsideCapacity, _injector.Count + _installRing.Count, _sleepers.SearchingCount, _sleepers.SleepingCount);
        _statistics.Read(snapshot);
    }

    /// <summary>
    /// Writes the statistics report (<see cref="PoolStatistics.ToString"/>) to
    /// <paramref name="output"/>: a diagnostics dump on demand, from any thread, without stopping
    /// the workers.
    /// </summary>
    /// <param name="output">Receives the report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteStatistics(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        GetStatistics().WriteTo(output);
        output.Flush();
    }

    /// <summary>
    /// Opt-in diagnostics dump: from now on, each SIGQUIT the process receives (<c>kill -QUIT
    /// pid</c>, or Ctrl+\ in a terminal) writes this pool's statistics report to
    /// <paramref name="output"/> instead of ending the process. The report is written from the
    /// runtime's signal-handling thread, not a worker, and reads the counters without stopping
    /// the workers. Dispose the result to stop (and restore SIGQUIT's default action once no
    /// registration is left).
    /// </summary>
    /// <param name="output">Receives the reports; default: <see cref="Console.Error"/>. Must be safe to write from another thread (the console writers are).</param>
    /// <returns>The registration; dispose it to stop dumping.</returns>
    /// <exception cref="PlatformNotSupportedException">The platform has no such signal (browser, iOS, tvOS).</exception>
    /// <remarks>
    /// Several pools may register; each writes its own report. On Windows, .NET raises SIGQUIT
    /// for Ctrl+Break. A process that was started with SIGQUIT ignored (for example in the
    /// background of a non-interactive shell, or under <c>nohup</c>) keeps ignoring it, as .NET
    /// leaves an inherited ignore in place: then no report is written.
    /// </remarks>
    [UnsupportedOSPlatform("browser")]
    [UnsupportedOSPlatform("ios")]
    [UnsupportedOSPlatform("tvos")]
    public IDisposable DumpStatisticsOnSigQuit(TextWriter? output = null)
    {
        TextWriter target = output ?? Console.Error;
        return PosixSignalRegistration.Create(PosixSignal.SIGQUIT, signal =>
        {
            signal.Cancel = true;
            try
            {
                WriteStatistics(target);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The output was closed: nothing to report to, and a signal must not end the process.
            }
        });
    }
}
