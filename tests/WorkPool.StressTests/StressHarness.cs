using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace WorkPool.StressTests;

/// <summary>What one caller thread is doing, for hang reports.</summary>
internal sealed class CallerProgress
{
    private long _trees;
    private volatile string _phase = "starting";
    private volatile TreeRun? _current;
    private volatile bool _done;

    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    public TreeRun? Current
    {
        get => _current;
        set => _current = value;
    }

    public bool Done
    {
        get => _done;
        set => _done = value;
    }

    public long Trees => Interlocked.Read(ref _trees);

    public void TreeDone() => Interlocked.Increment(ref _trees);
}

/// <summary>Totals of a scenario, for its output.</summary>
internal sealed class StressTotals
{
    private long _trees;
    private long _nodes;
    private long _faultedTrees;
    private long _refusedTrees;
    private int _deepest;

    public long Trees => Interlocked.Read(ref _trees);

    public long Nodes => Interlocked.Read(ref _nodes);

    public long FaultedTrees => Interlocked.Read(ref _faultedTrees);

    public long RefusedTrees => Interlocked.Read(ref _refusedTrees);

    public int Deepest => Volatile.Read(ref _deepest);

    public void Add(int nodes, int depth, Exception? rootError)
    {
        Interlocked.Increment(ref _trees);
        Interlocked.Add(ref _nodes, nodes);
        if (rootError is not null)
        {
            bool refused = ContainsDisposed(rootError);
            Interlocked.Increment(ref refused ? ref _refusedTrees : ref _faultedTrees);
        }

        int deepest = Volatile.Read(ref _deepest);
        while (depth > deepest)
        {
            int seen = Interlocked.CompareExchange(ref _deepest, depth, deepest);
            if (seen == deepest)
            {
                break;
            }

            deepest = seen;
        }
    }

    /// <summary>Adds another scenario part's totals to these.</summary>
    public void Merge(StressTotals other)
    {
        Interlocked.Add(ref _trees, other.Trees);
        Interlocked.Add(ref _nodes, other.Nodes);
        Interlocked.Add(ref _faultedTrees, other.FaultedTrees);
        Interlocked.Add(ref _refusedTrees, other.RefusedTrees);
        int deepest = other.Deepest;
        if (deepest > Volatile.Read(ref _deepest))
        {
            Volatile.Write(ref _deepest, deepest);
        }
    }

    public override string ToString() =>
        $"{Trees} trees, {Nodes} operations run, deepest nesting {Deepest}, {FaultedTrees} trees ended in injected exceptions or cancellation, {RefusedTrees} in ObjectDisposedException";

    private static bool ContainsDisposed(Exception error) => error switch
    {
        ObjectDisposedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(ContainsDisposed),
        _ => false,
    };
}

/// <summary>
/// Runs a scenario's caller threads (threads outside every pool, with big stacks) and bounds
/// them in time: each caller runs until its budget is spent, and the scenario fails with a
/// report of what is stuck (each caller's phase and tree progress, each pool's state) when any
/// caller has not finished <see cref="StressSettings.HangGrace"/> after that.
/// </summary>
internal sealed class StressHarness
{
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly StressPools _pools;
    private readonly string _context;
    private readonly string _scenario;

    // Varies the trees between scenarios (a stable hash of the name: seeds in reports reproduce the tree).
    private readonly int _salt;

    /// <param name="pools">The scenario's pools: described in hang reports, abandoned (not disposed) after a hang.</param>
    /// <param name="scenario">Names the scenario in reports and salts its tree seeds.</param>
    /// <param name="context">Further detail for reports (e.g. a round's settings).</param>
    public StressHarness(StressPools pools, string scenario, string context = "")
    {
        _pools = pools;
        _context = context;
        _scenario = scenario;
        foreach (char c in scenario)
        {
            _salt = (_salt * 31) + c;
        }
    }

    public StressTotals Totals { get; } = new();

    /// <summary>True once any caller reported a failure (callers stop early then).</summary>
    public bool Failed => !_failures.IsEmpty;

    public void Fail(string failure) => _failures.Enqueue(failure);

    /// <summary>Generates one tree, runs it from the calling thread and verifies it; a failure is recorded with the tree's seed. Returns the exception that reached the root.</summary>
    public Exception? RunTree(WorkStealingPool[] pools, TreeShape shape, int seed, CallerProgress progress)
    {
        seed ^= _salt;
        OpNode root = OpTree.Generate(new Random(seed), shape, out int count);
        var run = new TreeRun(pools, root, count);
        progress.Current = run;
        progress.Phase = $"running tree seed {seed}";
        (long result, Exception? error) = run.RunRoot();
        progress.Phase = $"verifying tree seed {seed}";
        if (run.Verify(result, error) is { } problem)
        {
            Fail($"tree seed {seed}: {problem}");
        }

        Totals.Add(run.StartedCount(), OpTree.MaxDepth(root), error);
        progress.TreeDone();
        progress.Current = null;
        return error;
    }

    /// <summary>
    /// Runs random trees of <paramref name="shape"/> over all pools from <paramref name="callers"/>
    /// threads until <paramref name="budget"/> has passed (or a failure), with a side thread forcing
    /// GCs every <paramref name="gcPeriodMilliseconds"/>; returns how many GCs it forced.
    /// </summary>
    public int RunTreesUnderGc(int callers, TimeSpan budget, TreeShape shape, int gcPeriodMilliseconds = 4)
    {
        using var hammer = new GcHammer(gcPeriodMilliseconds);
        Run(callers, budget, (caller, progress) =>
        {
            var deadline = new Deadline(budget);
            int tree = 0;
            do
            {
                RunTree(_pools.All, shape, (caller << 20) + tree++, progress);
            }
            while (!deadline.Passed && !Failed);
        });
        return hammer.Collections;
    }

    /// <summary>Runs <paramref name="body"/>(i, progress) on <paramref name="callers"/> threads; returns when all finished, fails on a hang or on any recorded failure.</summary>
    public void Run(int callers, TimeSpan budget, Action<int, CallerProgress> body)
    {
        var progress = new CallerProgress[callers];
        var threads = new Thread[callers];
        for (int i = 0; i < callers; i++)
        {
            int index = i;
            progress[i] = new CallerProgress();
            threads[i] = new Thread(
                () =>
                {
                    try
                    {
                        body(index, progress[index]);
                    }
#pragma warning disable CA1031 // Every caller's failure is reported by the test.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        Fail($"caller {index} threw: {e}");
                    }
                    finally
                    {
                        progress[index].Done = true;
                    }
                },
                StressSettings.StackSize)
            {
                IsBackground = true,
                Name = $"stress-caller {_scenario} #{index}",
            };
        }

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (long)(budget + StressSettings.HangGrace).TotalSeconds;
        for (int i = 0; i < callers; i++)
        {
            TimeSpan left = TimeSpan.FromSeconds(Math.Max(0, (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
            if (!threads[i].Join(left))
            {
                // Disposing would wait for the stuck workers: leave them (background threads).
                _pools.Abandon();
                Assert.Fail(HangReport(progress, budget));
            }
        }

        AssertNoFailures();
    }

    public void AssertNoFailures()
    {
        if (!_failures.IsEmpty)
        {
            string[] failures = [.. _failures];
            Assert.Fail($"{_scenario}: {failures.Length} failure(s) ({Totals}):\n{string.Join("\n", failures.Take(5))}");
        }
    }

    private string HangReport(CallerProgress[] progress, TimeSpan budget)
    {
        var report = new StringBuilder();
        report.Append(_scenario).Append(" hung: callers still running ").Append(StressSettings.HangGrace.TotalSeconds)
            .Append(" s after the ").Append(budget.TotalSeconds).Append(" s budget ended (deadlock, lost wake-up or lost job).");
        for (int i = 0; i < progress.Length; i++)
        {
            if (!progress[i].Done)
            {
                report.Append("\n  caller ").Append(i).Append(": ").Append(progress[i].Phase).Append(", ")
                    .Append(progress[i].Trees).Append(" trees done");
                if (progress[i].Current is { } run)
                {
                    report.Append("; current tree: ").Append(run.Progress());
                }
            }
        }

        report.Append('\n').Append(_context).Append(_context.Length == 0 ? "" : "\n").Append(_pools.Describe());
        report.Append("\nTotals so far: ").Append(Totals);
        return report.ToString();
    }
}

/// <summary>A point in time a loop runs until.</summary>
internal readonly struct Deadline(TimeSpan budget)
{
    private readonly long _end = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);

    public bool Passed => Stopwatch.GetTimestamp() >= _end;
}
