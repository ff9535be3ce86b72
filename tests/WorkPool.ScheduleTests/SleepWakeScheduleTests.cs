using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// Sleep and wake-up in a real <see cref="WorkStealingPool"/> whose workers run under the
/// scheduler (they attach from <c>OnWorkerStart</c>): work published while workers spin, give up
/// their search, announce sleep, take their last look and park must always run. A lost wake-up
/// leaves the installing thread parked with every worker parked: a detected deadlock.
/// </summary>
public sealed class SleepWakeScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void InstallRacingWithOneWorkerGoingToSleep()
    {
        Explorer.Check(output, "sleep/wake: 1 worker, 1 outside thread installs 3 jobs", new ExploreOptions { Runs = 300 },
            execution => InstallScenario(execution, workers: 1, callers: 1, installsEach: 3));
    }

    [Fact]
    public void TwoCallersRacingWithTwoWorkersGoingToSleep()
    {
        Explorer.Check(output, "sleep/wake: 2 workers, 2 outside threads install 2 jobs each", new ExploreOptions { Runs = 200 },
            execution => InstallScenario(execution, workers: 2, callers: 2, installsEach: 2));
    }

    private static void InstallScenario(Execution execution, int workers, int callers, int installsEach)
    {
        var pool = new WorkStealingPool(new WorkStealingPoolOptions
        {
            ThreadCount = workers,
            ThreadNamePrefix = "wp.explore",
            SpinCount = 1,
            InjectorCapacity = 2,
            OnWorkerStart = index => execution.AttachCurrentThread($"worker {index}"),
        });
        try
        {
            execution.AwaitAttached(workers);
            int[][] runs = new int[callers][];
            for (int c = 0; c < callers; c++)
            {
                int caller = c;
                runs[caller] = new int[installsEach];
                execution.Spawn($"caller {c}", () =>
                {
                    for (int i = 0; i < installsEach; i++)
                    {
                        pool.Install((runs[caller], i), static state => state.Item1[state.i]++);
                    }
                });
            }

            execution.Run();
            for (int c = 0; c < callers; c++)
            {
                for (int i = 0; i < installsEach; i++)
                {
                    Assert.True(runs[c][i] == 1, $"Caller {c}'s job {i} ran {runs[c][i]} times.");
                }
            }
        }
        finally
        {
            // The run is released: workers run freely now, and Dispose stops them.
            pool.Dispose();
        }
    }
}
