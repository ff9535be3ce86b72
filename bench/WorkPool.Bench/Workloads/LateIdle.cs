using System.Diagnostics;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>late_idle</c>: the bench thread calls <c>Join(A, B)</c>, A and B each a ~2 ms leaf loop of
/// <see cref="WorkFunction.Work"/> with no Join inside, while every worker is still busy with a
/// ~0.5 ms job started just before. The worker that takes the Join runs A; B is only shared if a
/// worker that becomes idle later still finds it. Ideal: 0.5 ms + 2 ms, against 4 ms sequential.
/// </summary>
/// <remarks>
/// <para>The busy jobs are one <c>Broadcast</c> (one part per worker, guaranteed), issued by a
/// helper thread of this instance because a Broadcast returns only when every part is done. Each
/// part waits (bounded) until every part has started, then works ~0.5 ms, so all workers are busy
/// at once; the bench thread spins until every part has started, then Joins. Fire-and-forget
/// Spawns did not set this up: measured, two Spawns from outside mostly ran one after the other
/// on the same worker while the other did not get to either.</para>
/// <para>One instance serves one caller at a time (its counters and results are reused, so an
/// operation allocates nothing itself). Every delegate is a static lambda with this instance as
/// its state: no closure.</para>
/// </remarks>
internal sealed class LateIdle : IDisposable
{
    /// <summary>How long one half takes sequentially.</summary>
    internal static readonly TimeSpan HalfTarget = TimeSpan.FromMilliseconds(2);

    /// <summary>How long one busy job takes.</summary>
    internal static readonly TimeSpan BusyTarget = TimeSpan.FromMilliseconds(0.5);

    /// <summary>Longest a busy part waits for the others to start before it works anyway.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMilliseconds(5);

    private readonly WorkStealingPool _pool;
    private readonly ulong _expectedA;
    private readonly ulong _expectedB;
    private readonly Thread _broadcaster;
    private readonly SemaphoreSlim _go = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private volatile bool _stopping;
    private int _busyStarted;
    private int _busyFinished;
    private ulong _resultA;
    private ulong _resultB;

    /// <param name="pool">The pool the Joins and busy jobs run on.</param>
    /// <param name="halfIterations">Work calls per half (see <see cref="Calibrated"/>).</param>
    /// <param name="busyIterations">Work calls per busy job.</param>
    internal LateIdle(WorkStealingPool pool, int halfIterations, int busyIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(halfIterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyIterations, 1);
        _pool = pool;
        HalfIterations = halfIterations;
        BusyIterations = busyIterations;
        _expectedA = Half(0);
        _expectedB = Half(1);
        _broadcaster = new Thread(BroadcastLoop) { IsBackground = true, Name = "LateIdle-busy" };
        _broadcaster.Start();
    }

    internal int HalfIterations { get; }

    internal int BusyIterations { get; }

    /// <summary>Joins run by <see cref="WorkPool"/> so far.</summary>
    internal int Joins { get; private set; }

    /// <summary>
    /// Joins that began after a busy part had already ended (a worker came later than
    /// <see cref="StartTimeout"/>), so not every worker was busy when the Join began.
    /// </summary>
    internal int JoinsNotAllBusy { get; private set; }

    /// <summary>An instance calibrated on this machine now: halves of ~<see cref="HalfTarget"/>, busy jobs of ~<see cref="BusyTarget"/>.</summary>
    internal static LateIdle Calibrated(WorkStealingPool pool)
    {
        double nsPerWork = NanosecondsPerWork();
        return new LateIdle(pool, Iterations(HalfTarget, nsPerWork), Iterations(BusyTarget, nsPerWork));
    }

    /// <summary>
    /// The time of one <see cref="WorkFunction.Work"/> call on this machine: the fastest of many
    /// short timed loops, so that a neighbour's build running at the same moment does not shrink
    /// the halves (the fastest run is the uncontended one).
    /// </summary>
    internal static double NanosecondsPerWork()
    {
        const int calls = 2_000;
        double best = double.MaxValue;

        // Long enough for tiered JIT to promote the loop (see QuickHarness.MinimumWarmUp).
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(300))
        {
            long before = Stopwatch.GetTimestamp();
            _ = Loop(0, calls);
            best = Math.Min(best, Stopwatch.GetElapsedTime(before).TotalNanoseconds / calls);
        }

        return best;
    }

    /// <summary>The sequential operation: A then B on the calling thread.</summary>
    internal void Sequential()
    {
        _resultA = Half(0);
        _resultB = Half(1);
        Check();
    }

    /// <summary>
    /// One operation: makes every worker busy, waits until every busy part runs, then Joins A and
    /// B from this (external) thread. Returns how long the Join took; the setup before it and the
    /// wait for the busy parts after it are not part of the operation.
    /// </summary>
    internal TimeSpan WorkPool()
    {
        int workers = _pool.ThreadCount;
        Volatile.Write(ref _busyStarted, 0);
        Volatile.Write(ref _busyFinished, 0);
        _go.Release();

        // Every busy part has started, so no worker is idle when the Join begins. A counter, not
        // a sleep: the Join must begin right after the last worker got busy.
        WaitUntil(ref _busyStarted, workers);
        Joins++;
        JoinsNotAllBusy += Volatile.Read(ref _busyFinished) > 0 ? 1 : 0;
        long start = Stopwatch.GetTimestamp();
        _pool.Join(this, static s => s._resultA = s.Half(0), static s => s._resultB = s.Half(1));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

        // The busy parts end long before the halves; wait for the Broadcast anyway, so every
        // operation starts alike.
        _done.Wait();
        Check();
        return elapsed;
    }

    public void Dispose()
    {
        _stopping = true;
        _go.Release();
        _broadcaster.Join();
        _go.Dispose();
        _done.Dispose();
    }

    private static int Iterations(TimeSpan target, double nsPerWork) =>
        (int)Math.Max(1, Math.Round(target.TotalNanoseconds / nsPerWork));

    private static ulong Loop(ulong first, int count)
    {
        ulong x = 0;
        for (int i = 0; i < count; i++)
        {
            x ^= WorkFunction.Work(first + (ulong)i);
        }

        return x;
    }

    private static void WaitUntil(ref int counter, int value)
    {
        // No Sleep(1) fallback: a yield is enough to let the workers run on a busy machine.
        var spin = default(SpinWait);
        while (Volatile.Read(ref counter) < value)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private ulong Half(int which) => Loop((ulong)which * (ulong)HalfIterations, HalfIterations);

    /// <summary>The helper thread: one Broadcast of busy parts per <see cref="WorkPool"/> call.</summary>
    private void BroadcastLoop()
    {
        while (true)
        {
            _go.Wait();
            if (_stopping)
            {
                return;
            }

            _pool.Broadcast(this, static (s, _) => s.Busy());
            _done.Release();
        }
    }

    /// <summary>One worker's busy part.</summary>
    private void Busy()
    {
        int workers = _pool.ThreadCount;
        Interlocked.Increment(ref _busyStarted);

        // Start the 0.5 ms together with the other parts, so that all workers are busy at once.
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _busyStarted) < workers && Stopwatch.GetElapsedTime(start) < StartTimeout)
        {
            Thread.SpinWait(20);
        }

        // Work is not inlined, so its calls stay even though the result is dropped.
        _ = Loop(ulong.MaxValue / 2, BusyIterations);
        Interlocked.Increment(ref _busyFinished);
    }

    private void Check()
    {
        if (_resultA != _expectedA || _resultB != _expectedB)
        {
            throw new InvalidOperationException("late_idle: a half computed a wrong result.");
        }
    }
}
