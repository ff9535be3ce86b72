using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>How hard to explore one scenario.</summary>
internal sealed class ExploreOptions
{
    /// <summary>Random and PCT runs (alternating) at scale 1; ignored by bounded exhaustive search.</summary>
    public int Runs { get; init; } = 400;

    /// <summary>PCT's bug depth d (d − 1 priority change points).</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>Schedule points one run may take before it counts as a livelock.</summary>
    public int MaxSteps { get; init; } = 20_000;

    /// <summary>When set: bounded exhaustive search with this preemption bound instead of random/PCT.</summary>
    public int? PreemptionBound { get; init; }

    /// <summary>Bound on exhaustive search runs at scale 1 (a bigger scale lifts it).</summary>
    public int MaxExhaustiveRuns { get; init; } = 20_000;

    /// <summary>Real-time cap of the exploration at scale 1 (keeps the CI run short on a loaded machine).</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(4);
}

/// <summary>What an exploration did and, if a run failed, how to replay it.</summary>
internal sealed record ExplorationResult(string Scenario, int Runs, bool Exhausted, int MaxSteps, TimeSpan Elapsed, string? Failure, string? Strategy, string? Trace)
{
    /// <summary>Runs in which some thread parked (blocked in a modeled monitor wait).</summary>
    public int RunsWithParking { get; init; }

    /// <summary>The replay setting for the failing run (a seed, or the recorded schedule).</summary>
    public string? Replay { get; init; }

    public string Describe() =>
        Failure is null
            ? $"{Scenario}: {Runs} runs{(Exhausted ? " (every schedule within the preemption bound)" : "")}, {RunsWithParking} with a thread parking, up to {MaxSteps} schedule points per run, {Elapsed.TotalSeconds:F1} s: no failure."
            : $"{Scenario}: run {Runs} of the exploration failed ({Strategy}): {Failure}{Environment.NewLine}"
              + $"Replay: WORKPOOL_EXPLORE_REPLAY=\"{Replay}\" dotnet test tests/WorkPool.ScheduleTests -c Release --filter <this test>{Environment.NewLine}{Trace}";
}

/// <summary>
/// Runs a scenario under many schedules: seeded random and PCT runs in turn (or bounded
/// exhaustive search), each reproducible from what a failure prints. Environment:
/// <c>WORKPOOL_EXPLORE_SCALE=n</c> multiplies runs and time budget (the long exploration);
/// <c>WORKPOOL_EXPLORE_SEED=s</c> picks another base seed; <c>WORKPOOL_EXPLORE_REPLAY</c>
/// (<c>random:seed</c>, <c>pct:seed:depth:steps</c> or <c>trace:ids</c>, as a failure prints it) runs exactly one failing run again.
/// </summary>
internal static class Explorer
{
    static Explorer()
    {
        // DEBUG is defined in this build: a failing Debug.Assert in the library throws in the
        // thread that broke it (failing that run) instead of ending the process.
        Trace.Listeners.Clear();
        Trace.Listeners.Add(new ThrowingTraceListener());
    }

    internal static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("WORKPOOL_EXPLORE_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int scale) && scale > 0 ? scale : 1;

    private static string? ReplaySetting => Environment.GetEnvironmentVariable("WORKPOOL_EXPLORE_REPLAY");

    /// <summary>Explores and asserts that no run failed; logs what was explored.</summary>
    internal static ExplorationResult Check(ITestOutputHelper output, string scenario, ExploreOptions options, Action<Execution> body)
    {
        ExplorationResult result = Explore(scenario, options, body, ReplaySetting);
        output.WriteLine(result.Describe());
        Assert.True(result.Failure is null, result.Describe());
        Assert.True(result.Runs > 0 && result.MaxSteps > 0, $"{scenario}: nothing was explored (no run reached a schedule point: is SCHEDULE_POINTS defined?).");
        Assert.True(options.PreemptionBound is null || result.Exhausted || ReplaySetting is not null,
            $"{scenario}: the bounded exhaustive search did not finish within its limits ({result.Runs} runs): make the scenario smaller.");
        return result;
    }

    /// <summary>Explores until a run fails, the runs are done, or the budget is spent; or runs only <paramref name="replay"/>.</summary>
    internal static ExplorationResult Explore(string scenario, ExploreOptions options, Action<Execution> body, string? replay = null)
    {
        int scale = Scale;
        int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("WORKPOOL_EXPLORE_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : StableHash(scenario);
        var clock = Stopwatch.StartNew();
        DfsSearch? dfs = replay is null && options.PreemptionBound is { } bound ? new DfsSearch(bound) : null;
        // An exhaustive search must finish to mean what it says (Check asserts it did): it gets
        // a far larger time cap, which only a search space too big for CI reaches.
        TimeSpan budget = options.Budget * scale * (dfs is null ? 1 : 10);
        int maxRuns = replay is not null ? 1 : dfs is not null ? options.MaxExhaustiveRuns * scale : options.Runs * scale;
        int expectedSteps = 50;
        int maxSteps = 0;
        int runsWithParking = 0;
        int run = 0;
        while (run < maxRuns && (run == 0 || clock.Elapsed < budget))
        {
            IScheduleStrategy strategy = replay is not null ? FromReplay(replay, options)
                : dfs is not null ? dfs.NextRun(run)
                : run % 2 == 0 ? new RandomStrategy(baseSeed + run) : new PctStrategy(baseSeed + run, options.PctDepth, expectedSteps);
            var execution = new Execution(strategy, options.MaxSteps);
            run++;
            string? failure = null;
            try
            {
                body(execution);
            }
            catch (ScheduleFailureException e)
            {
                failure = e.Message;
            }
#pragma warning disable CA1031 // A failed check of the scenario is the run's failure, reported with its replay.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e.ToString();
            }

            maxSteps = Math.Max(maxSteps, execution.Steps);
            runsWithParking += execution.Parks > 0 ? 1 : 0;
            expectedSteps = Math.Max(expectedSteps, execution.Steps);
            if (failure is not null)
            {
                return new ExplorationResult(scenario, run, false, maxSteps, clock.Elapsed, failure, strategy.Name, execution.DescribeTrace())
                {
                    Replay = strategy is RandomStrategy or PctStrategy ? strategy.Name : "trace:" + string.Join(' ', execution.Trace),
                };
            }

            if (dfs is not null)
            {
                dfs.Advance(strategy);
                if (dfs.Exhausted)
                {
                    return new ExplorationResult(scenario, run, true, maxSteps, clock.Elapsed, null, null, null) { RunsWithParking = runsWithParking };
                }
            }
        }

        return new ExplorationResult(scenario, run, false, maxSteps, clock.Elapsed, null, null, null) { RunsWithParking = runsWithParking };
    }

    private static IScheduleStrategy FromReplay(string replay, ExploreOptions options)
    {
        int colon = replay.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? replay : replay[..colon];
        string value = colon < 0 ? "" : replay[(colon + 1)..];
        int[] numbers = kind == "trace" ? [] : [.. value.Split(':').Select(n => int.Parse(n, CultureInfo.InvariantCulture))];
        return kind switch
        {
            "random" => new RandomStrategy(numbers[0]),
            "pct" => new PctStrategy(numbers[0], numbers.Length > 1 ? numbers[1] : options.PctDepth, numbers.Length > 2 ? numbers[2] : 50),
            "trace" => new ReplayStrategy([.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => int.Parse(id, CultureInfo.InvariantCulture))]),
            _ => throw new ArgumentException($"WORKPOOL_EXPLORE_REPLAY must be random:seed, pct:seed:depth:steps or trace:ids, not '{replay}'.", nameof(replay)),
        };
    }

    /// <summary>FNV-1a: a seed per scenario name that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash & 0x3FFFFFFF);
    }

    private sealed class ThrowingTraceListener : DefaultTraceListener
    {
        public override void Fail(string? message, string? detailMessage) =>
            throw new InvalidOperationException($"Debug.Assert failed: {message} {detailMessage}");
    }
}

/// <summary>Replays a recorded schedule (thread ids, one per decision).</summary>
internal sealed class ReplayStrategy(int[] schedule) : IScheduleStrategy
{
    private int _position;

    public string Name => "trace";

    public ControlledThread Choose(IReadOnlyList<ControlledThread> enabled, ControlledThread? current, bool spin, int step)
    {
        if (_position >= schedule.Length)
        {
            throw new InvalidOperationException("The replayed schedule is shorter than the run: the scenario is not deterministic.");
        }

        int id = schedule[_position++];
        return enabled.FirstOrDefault(t => t.Id == id)
            ?? throw new InvalidOperationException($"Replay: thread {id} is not enabled at decision {_position - 1}: the scenario is not deterministic.");
    }
}
