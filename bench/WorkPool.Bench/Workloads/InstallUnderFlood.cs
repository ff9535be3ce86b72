using System.Diagnostics;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>install_under_flood</c>: <see cref="Installers"/> external threads each loop an Install
/// whose body is a scope of <see cref="SpawnsPerScope"/> spawns of <see cref="WorkFunction.Work"/>,
/// while one more external thread floods fire-and-forget jobs of <c>Work</c> as fast as it can.
/// One operation is one Install; each Install's latency is recorded. Every spawn, flood and scope
/// alike, is checked to run exactly once.
/// </summary>
/// <remarks>
/// <para>One <see cref="RunRound"/> releases the three threads together; the flood stops when
/// both installers are done, and the round ends when every flood job has run and been checked.
/// The latencies of the last <see cref="KeptRounds"/> rounds are kept (the quick harness ends
/// with exactly that many timed rounds), for percentiles.</para>
/// <para>WorkPool's flood is held back only by the pool itself (a full injector ring makes
/// <c>Spawn</c> wait). The .NET thread pool's queue has no bound, so a flood of it would grow
/// without end: TPL's flooder keeps at most <see cref="TplFloodInFlight"/> jobs queued or
/// running (WorkPool's default ring size), the most WorkPool's ring holds.</para>
/// </remarks>
internal abstract class InstallUnderFlood : IDisposable
{
    /// <summary>External threads calling Install at once.</summary>
    internal const int Installers = 2;

    /// <summary>Spawns in the scope of each Install.</summary>
    internal const int SpawnsPerScope = 16;

    /// <summary>TPL's flood: jobs queued or running at most (WorkPool's default injector capacity).</summary>
    internal const int TplFloodInFlight = 1024;

    /// <summary>Rounds whose latencies are kept.</summary>
    internal const int KeptRounds = 7;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly ThreadGang _gang;
    private readonly int[][] _scopeRuns;
    private readonly long[][] _latencyTicks;
    private readonly long[] _roundTicks = new long[Installers];
    private int _installersRunning;
    private int _round;
    private int _failures;
    private string? _firstFailure;

    private protected InstallUnderFlood(int installsPerCaller)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(installsPerCaller, 1);
        InstallsPerCaller = installsPerCaller;
        _scopeRuns = new int[Installers][];
        for (int i = 0; i < Installers; i++)
        {
            _scopeRuns[i] = new int[SpawnsPerScope];
        }

        _latencyTicks = new long[KeptRounds][];
        for (int r = 0; r < KeptRounds; r++)
        {
            _latencyTicks[r] = new long[Installers * installsPerCaller];
        }

        // Threads 0 .. Installers-1 install; the last one floods.
        _gang = new ThreadGang(Installers + 1, index =>
        {
            if (index < Installers)
            {
                InstallLoop(index);
            }
            else
            {
                FloodLoop();
            }
        });
    }

    /// <summary>Installs per installer thread and round.</summary>
    internal int InstallsPerCaller { get; }

    /// <summary>Installs per round: the operations of a round.</summary>
    internal int InstallsPerRound => Installers * InstallsPerCaller;

    /// <summary>Rounds whose exactly-once check failed; 0 is the only good answer.</summary>
    internal int Failures => Volatile.Read(ref _failures);

    /// <summary>What went wrong first, if anything.</summary>
    internal string? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>Flood jobs run in the last round (how hard the flood pushed).</summary>
    internal long LastFloodCount { get; private set; }

    private protected FloodLedger Ledger { get; } = new();

    /// <summary>An instance for <paramref name="pool"/>: Install + Scope + scope.Spawn, flooded by pool.Spawn.</summary>
    internal static InstallUnderFlood ForWorkPool(WorkStealingPool pool, int installsPerCaller) => new WorkPoolFlood(pool, installsPerCaller);

    /// <summary>The TPL counterpart: Task.Run(...).Wait() of 16 × Task.Run + Task.WaitAll, flooded by ThreadPool.UnsafeQueueUserWorkItem.</summary>
    internal static InstallUnderFlood ForTpl(int installsPerCaller) => new TplFlood(installsPerCaller);

    /// <summary>
    /// One round: every installer does <see cref="InstallsPerCaller"/> Installs while the flood
    /// runs; then the flood drains and is checked. Returns the summed latency of the round's
    /// Installs in nanoseconds (divide by <see cref="InstallsPerRound"/> for the mean).
    /// </summary>
    internal double RunRound()
    {
        Volatile.Write(ref _installersRunning, Installers);
        _gang.RunOnce();
        LastFloodCount = Ledger.Queued;
        string? error = Ledger.WaitUntilDrained(DrainTimeout)
            ? Ledger.CheckAndReset()
            : $"{Ledger.InFlight} flood jobs still not run after {DrainTimeout.TotalSeconds} s";
        if (error is not null)
        {
            Fail(error);
        }

        long ticks = 0;
        foreach (long installerTicks in _roundTicks)
        {
            ticks += installerTicks;
        }

        _round++;
        return ticks * (1e9 / Stopwatch.Frequency);
    }

    /// <summary>Copies the latencies of the last <see cref="KeptRounds"/> rounds, in nanoseconds, into <paramref name="destination"/>; returns how many.</summary>
    internal int CopyKeptLatencies(Span<double> destination)
    {
        int rounds = Math.Min(_round, KeptRounds);
        int count = 0;
        for (int r = 0; r < rounds; r++)
        {
            foreach (long ticks in _latencyTicks[r])
            {
                destination[count++] = ticks * (1e9 / Stopwatch.Frequency);
            }
        }

        return count;
    }

    public void Dispose()
    {
        _gang.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One Install of a scope of <see cref="SpawnsPerScope"/> jobs; job j increments <paramref name="runs"/>[j].</summary>
    private protected abstract void Install(int installer, int[] runs);

    /// <summary>Queues one fire-and-forget job that runs Work and then marks <paramref name="number"/> in the ledger.</summary>
    private protected abstract void Flood(long number);

    private void InstallLoop(int installer)
    {
        int[] runs = _scopeRuns[installer];
        long[] latencies = _latencyTicks[_round % KeptRounds];
        int offset = installer * InstallsPerCaller;
        long total = 0;
        for (int i = 0; i < InstallsPerCaller; i++)
        {
            Array.Clear(runs);
            long start = Stopwatch.GetTimestamp();
            Install(installer, runs);
            long ticks = Stopwatch.GetTimestamp() - start;
            latencies[offset + i] = ticks;
            total += ticks;
            foreach (int count in runs)
            {
                if (count != 1)
                {
                    Fail($"a scope job ran {count} times");
                    break;
                }
            }
        }

        _roundTicks[installer] = total;
        Interlocked.Decrement(ref _installersRunning);
    }

    private void FloodLoop()
    {
        while (Volatile.Read(ref _installersRunning) > 0)
        {
            Flood(Ledger.Next());
        }
    }

    private void Fail(string error)
    {
        Interlocked.CompareExchange(ref _firstFailure, error, null);
        Interlocked.Increment(ref _failures);
    }

    /// <summary>The WorkPool side: closure-free struct bodies throughout.</summary>
    private sealed class WorkPoolFlood(WorkStealingPool pool, int installsPerCaller) : InstallUnderFlood(installsPerCaller)
    {
        private protected override void Install(int installer, int[] runs)
        {
            var body = new InstallBody(runs);
            pool.Install(ref body);
        }

        private protected override void Flood(long number) => pool.Spawn(new FloodJob(Ledger, number));

        private readonly struct InstallBody(int[] runs) : IWork
        {
            // On a worker of the pool: a plain call into the scope.
            public void Run(ForkContext context)
            {
                var scope = new SpawnAll(runs);
                context.Pool.Scope(ref scope);
            }
        }

        private readonly struct SpawnAll(int[] runs) : IScopeWork
        {
            public void Run(Scope scope)
            {
                for (int j = 0; j < SpawnsPerScope; j++)
                {
                    scope.Spawn(new ScopeJob(runs, j));
                }
            }
        }

        private readonly struct ScopeJob(int[] runs, int index) : IScopeWork
        {
            public void Run(Scope scope)
            {
                _ = WorkFunction.Work((ulong)index);
                Interlocked.Increment(ref runs[index]);
            }
        }

        private readonly struct FloodJob(FloodLedger ledger, long number) : IWork
        {
            public void Run(ForkContext context)
            {
                _ = WorkFunction.Work((ulong)number);
                ledger.MarkRan(number);
            }
        }
    }

    /// <summary>The TPL side, written as a TPL user would (closures included).</summary>
    private sealed class TplFlood(int installsPerCaller) : InstallUnderFlood(installsPerCaller)
    {
        private readonly Task[][] _tasks = Enumerable.Range(0, Installers).Select(static _ => new Task[SpawnsPerScope]).ToArray();

        private protected override void Install(int installer, int[] runs)
        {
            Task[] tasks = _tasks[installer];
            Task.Run(() =>
            {
                for (int j = 0; j < SpawnsPerScope; j++)
                {
                    int index = j;
                    tasks[j] = Task.Run(() =>
                    {
                        _ = WorkFunction.Work((ulong)index);
                        Interlocked.Increment(ref runs[index]);
                    });
                }

                Task.WaitAll(tasks);
            }).Wait();
        }

        private protected override void Flood(long number)
        {
            // The thread pool's queue is unbounded: hold the flood at WorkPool's ring size.
            var spin = default(SpinWait);
            while (Ledger.InFlight >= TplFloodInFlight)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            ThreadPool.UnsafeQueueUserWorkItem(
                static job =>
                {
                    _ = WorkFunction.Work((ulong)job.Number);
                    job.Ledger.MarkRan(job.Number);
                },
                new TplFloodJob(Ledger, number),
                preferLocal: false);
        }

        private readonly record struct TplFloodJob(FloodLedger Ledger, long Number);
    }
}
