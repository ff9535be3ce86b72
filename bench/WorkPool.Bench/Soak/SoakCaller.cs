using System.Diagnostics;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Soak;

/// <summary>
/// One outside thread of the soak run: cycles through the mixed workload (WORKLOADS.md's
/// install_empty, join_fib, tree_sum_small, for_small, for_tiny, plus A → B → A cross-pool
/// Installs and an exactly-once loop), checks every result, and publishes its counters for the
/// reporter. Only allocation-free forms are used, so in steady state the run allocates nothing.
/// </summary>
internal sealed class SoakCaller
{
    internal const int FibN = 20;
    internal const int CountingLoopLength = 256;

    private static readonly long s_fibExpected = Fib.Sequential(FibN);
    private static readonly long s_fibJobs = Fib.JoinCount(FibN) + 1;

    private readonly WorkStealingPool _pool;
    private readonly WorkStealingPool _other;
    private readonly TreeNode _tree;
    private readonly long _treeExpected;
    private readonly long _treeNodes;
    private readonly ulong[] _smallExpected;
    private readonly ulong[] _smallOutput = new ulong[WorkFunction.LoopLength];
    private readonly int[] _tinyOutput = new int[Loops.TinyLength];
    private readonly int[] _hits = new int[CountingLoopLength];
    private readonly Thread _thread;
    private volatile bool _stop;

    // Written by this caller, read by the reporter.
    private long _jobs;
    private long _operations;
    private long _wrong;
    private long _submitted;
    private long _executed;
    private long _maxInstallTicks;
    private long _inFlightSince;
    private volatile string _operation = "starting";

    internal SoakCaller(int index, WorkStealingPool pool, WorkStealingPool other, TreeNode tree, long treeNodes, ulong[] smallExpected)
    {
        _pool = pool;
        _other = other;
        _tree = tree;
        _treeNodes = treeNodes;
        _treeExpected = treeNodes * (treeNodes + 1) / 2;
        _smallExpected = smallExpected;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"soak-caller-{index}" };
    }

    internal long Jobs => Interlocked.Read(ref _jobs);

    internal long Operations => Interlocked.Read(ref _operations);

    internal long Wrong => Interlocked.Read(ref _wrong);

    internal long Submitted => Interlocked.Read(ref _submitted);

    internal long Executed => Interlocked.Read(ref _executed);

    internal string Operation => _operation;

    /// <summary>The longest Install since the last call, in stopwatch ticks (and resets it).</summary>
    internal long TakeMaxInstallTicks() => Interlocked.Exchange(ref _maxInstallTicks, 0);

    /// <summary>Stopwatch ticks the current operation has been running (0 when between operations).</summary>
    internal long InFlightTicks(long now)
    {
        long since = Interlocked.Read(ref _inFlightSince);
        return since == 0 ? 0 : now - since;
    }

    internal void Start() => _thread.Start();

    /// <summary>Asks the loop to stop after its current operation and waits (bounded) for it.</summary>
    internal bool Stop(TimeSpan limit)
    {
        _stop = true;
        return _thread.Join(limit);
    }

    private void Loop()
    {
        for (long i = 0; !_stop; i++)
        {
            switch (i % 7)
            {
                case 0:
                    Measure("install_empty", 1, static c => Installs.WorkPool(c._pool), isInstall: true);
                    break;
                case 1:
                    Measure("join_fib", s_fibJobs, static c => c.Check(Fib.InstallWorkPool(c._pool, FibN) == s_fibExpected));
                    break;
                case 2:
                    Measure("tree_sum_small", _treeNodes, static c => c.Check(BinaryTree.InstallWorkPool(c._pool, c._tree) == c._treeExpected));
                    break;
                case 3:
                    Measure("for_small", WorkFunction.LoopLength, static c =>
                    {
                        Array.Clear(c._smallOutput);
                        Loops.SmallWorkPool(c._pool, c._smallOutput);
                        c.Check(c._smallOutput.AsSpan().SequenceEqual(c._smallExpected));
                    });
                    break;
                case 4:
                    Measure("for_tiny", Loops.TinyLength, static c =>
                    {
                        Array.Clear(c._tinyOutput);
                        Loops.TinyWorkPool(c._pool, c._tinyOutput);
                        for (int k = 0; k < c._tinyOutput.Length; k++)
                        {
                            c.Check(c._tinyOutput[k] == k);
                        }
                    });
                    break;
                case 5:
                    Measure("cross_pool", 3, static c => c.CrossPool(), isInstall: true);
                    break;
                default:
                    Measure("exactly_once", CountingLoopLength + 1, static c => c.ExactlyOnce());
                    break;
            }
        }

        _operation = "stopped";
    }

    private void Measure(string operation, long jobs, Action<SoakCaller> body, bool isInstall = false)
    {
        _operation = operation;
        long start = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _inFlightSince, start);
        body(this);
        long elapsed = Stopwatch.GetTimestamp() - start;
        Interlocked.Exchange(ref _inFlightSince, 0);
        if (isInstall && elapsed > Interlocked.Read(ref _maxInstallTicks))
        {
            // Only this thread raises it; the reporter only resets it to 0.
            long seen = Interlocked.Read(ref _maxInstallTicks);
            while (elapsed > seen)
            {
                long previous = Interlocked.CompareExchange(ref _maxInstallTicks, elapsed, seen);
                if (previous == seen)
                {
                    break;
                }

                seen = previous;
            }
        }

        Interlocked.Add(ref _jobs, jobs);
        Interlocked.Increment(ref _operations);
    }

    /// <summary>A → B → A: an Install into the main pool that installs into the other pool, which installs back.</summary>
    private void CrossPool()
    {
        Interlocked.Add(ref _submitted, 1);
        long value = _pool.Install(this, static c => c._other.Install(c, static c => c._pool.Install(c, static c =>
        {
            Interlocked.Increment(ref c._executed);
            return (long)WorkStealingPool.CurrentWorkerIndex;
        })));
        Check(value >= 0 && value < _pool.ThreadCount);
    }

    /// <summary>A loop whose every iteration counts itself, then one counted Install: each must run exactly once.</summary>
    private void ExactlyOnce()
    {
        var body = new HitBody(_hits);
        Interlocked.Add(ref _submitted, CountingLoopLength + 1);
        _pool.For(0, CountingLoopLength, ref body);
        for (int k = 0; k < _hits.Length; k++)
        {
            Check(_hits[k] == 1);
            Interlocked.Add(ref _executed, _hits[k]);
            _hits[k] = 0;
        }

        _pool.Install(this, static c => Interlocked.Increment(ref c._executed));
    }

    private void Check(bool correct)
    {
        if (!correct)
        {
            Interlocked.Increment(ref _wrong);
        }
    }

    private readonly struct HitBody(int[] hits) : IForBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[index]);
    }
}
