using System.Diagnostics;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>late_idle</c>: the bench thread calls <c>Join(A, B)</c>, A and B each a ~2 ms leaf loop of
/// <see cref="WorkFunction.Work"/> with no Join inside, while every worker is still busy with a
/// ~0.5 ms job spawned just before. The worker that takes the Join runs A; B is only shared if a
/// worker that becomes idle later still finds it. Ideal: 0.5 ms + 2 ms, against 4 ms sequential.
/// </summary>
/// <remarks>
/// One instance serves one caller at a time (its counters and results are reused, so an
/// operation allocates nothing itself). Every delegate is a static lambda with this instance as
/// its state: no closure.
/// </remarks>
internal sealed class LateIdle
{
    /// <summary>How long one half takes sequentially.</summary>
    internal static readonly TimeSpan HalfTarget = TimeSpan.FromMilliseconds(2);

    /// <summary>How long one busy job takes.</summary>
    internal static readonly TimeSpan BusyTarget = TimeSpan.FromMilliseconds(0.5);

    private readonly ulong _expectedA;
    private readonly ulong _expectedB;
    private int _busyStarted;
    private int _busyFinished;
    private ulong _resultA;
    private ulong _resultB;

    /// <param name="halfIterations">Work calls per half (see <see cref="CalibrateIterations"/>).</param>
    /// <param name="busyIterations">Work calls per busy job.</param>
    internal LateIdle(int halfIterations, int busyIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(halfIterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyIterations, 1);
        HalfIterations = halfIterations;
        BusyIterations = busyIterations;
        _expectedA = Half(0);
        _expectedB = Half(1);
    }

    internal int HalfIterations { get; }

    internal int BusyIterations { get; }

    /// <summary>Joins run by <see cref="WorkPool"/> so far.</summary>
    internal int Joins { get; private set; }

    /// <summary>
    /// Joins that began after a busy job had already ended: a worker ran two busy jobs one after
    /// the other (another was slow to wake), so not every worker was busy when the Join began.
    /// </summary>
    internal int JoinsNotAllBusy { get; private set; }

    /// <summary>An instance calibrated on this machine now: halves of ~<see cref="HalfTarget"/>, busy jobs of ~<see cref="BusyTarget"/>.</summary>
    internal static LateIdle Calibrated()
    {
        double nsPerWork = NanosecondsPerWork();
        return new LateIdle(Iterations(HalfTarget, nsPerWork), Iterations(BusyTarget, nsPerWork));
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
    /// One operation on <paramref name="pool"/>: makes every worker busy, waits until all busy
    /// jobs run, then Joins A and B from this (external) thread. Returns how long the Join took;
    /// the setup before it and the wait for the busy jobs after it are not part of the operation.
    /// </summary>
    internal TimeSpan WorkPool(WorkStealingPool pool)
    {
        int workers = pool.ThreadCount;
        Volatile.Write(ref _busyStarted, 0);
        Volatile.Write(ref _busyFinished, 0);
        for (int i = 0; i < workers; i++)
        {
            pool.Spawn(this, static s => s.Busy());
        }

        // Every busy job has started, so no worker is idle when the Join begins. A counter, not
        // a sleep: the Join must begin right after the last worker got busy.
        WaitUntil(ref _busyStarted, workers);
        Joins++;
        JoinsNotAllBusy += Volatile.Read(ref _busyFinished) > 0 ? 1 : 0;
        long start = Stopwatch.GetTimestamp();
        pool.Join(this, static s => s._resultA = s.Half(0), static s => s._resultB = s.Half(1));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);

        // The busy jobs end long before the halves; wait anyway, so every operation starts alike.
        WaitUntil(ref _busyFinished, workers);
        Check();
        return elapsed;
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

    private void Busy()
    {
        Interlocked.Increment(ref _busyStarted);
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
