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

    [Fact]
    public void PromotedJoinHalfWakesASleepingWorker()
    {
        int stolen = 0;
        Explorer.Check(output, "sleep/wake: 2 workers, an outside Join whose second half is promoted to an idle worker", new ExploreOptions { Runs = 200 },
            execution =>
            {
                using WorkStealingPool pool = CreatePool(execution, workers: 2);
                execution.AwaitAttached(2);
                int[] runs = new int[2];
                int[] ranOn = new int[2];
                execution.Spawn("caller", () => pool.Join(
                    (runs, ranOn),
                    static s =>
                    {
                        s.ranOn[0] = WorkStealingPool.CurrentWorkerIndex;
                        // A long first half: room for the other worker to wake and take the second.
                        for (int i = 0; i < 4; i++)
                        {
                            SchedulePoint.Hit();
                        }

                        s.runs[0]++;
                    },
                    static s =>
                    {
                        s.ranOn[1] = WorkStealingPool.CurrentWorkerIndex;
                        s.runs[1]++;
                    }));
                execution.Run();
                Assert.True(runs[0] == 1 && runs[1] == 1, $"The halves ran {runs[0]} and {runs[1]} times.");
                stolen += ranOn[0] != ranOn[1] ? 1 : 0;
            });
        output.WriteLine($"The second half ran on the other worker in {stolen} runs.");
        Assert.True(stolen > 0, "No schedule had the promoted half taken by the other worker: the scenario does not cover promotion.");
    }

    [Fact]
    public void CrossPoolInstallWhileTheWaitingWorkerGoesToSleep()
    {
        Explorer.Check(output, "sleep/wake: a worker of pool A installs into pool B and sleeps until B's job or A's work wakes it", new ExploreOptions { Runs = 200 },
            execution =>
            {
                using WorkStealingPool a = CreatePool(execution, workers: 1, name: "A");
                using WorkStealingPool b = CreatePool(execution, workers: 1, name: "B");
                execution.AwaitAttached(2);
                int[] runs = new int[3];
                execution.Spawn("caller of A", () => a.Install((b, runs), static s =>
                {
                    s.runs[0]++;
                    s.b.Install(s.runs, static r => r[1]++);
                }));
                // More work for A while A's only worker waits on B: it must run it while waiting.
                execution.Spawn("second caller of A", () => a.Install(runs, static r => r[2]++));
                execution.Run();
                Assert.True(runs[0] == 1 && runs[1] == 1 && runs[2] == 1, $"Runs: outer {runs[0]}, inner (in B) {runs[1]}, second A job {runs[2]}.");
            });
    }

    /// <summary>A pool whose workers join <paramref name="execution"/> as daemons.</summary>
    internal static WorkStealingPool CreatePool(Execution execution, int workers, string name = "", int guestSlots = 4) =>
        new(new WorkStealingPoolOptions
        {
            ThreadCount = workers,
            GuestSlots = guestSlots,
            ThreadNamePrefix = "wp.explore" + name,
            SpinCount = 1,
            InjectorCapacity = 2,
            OnWorkerStart = index => execution.AttachCurrentThread($"{name}worker {index}"),
        });

    /// <summary>Outside threads whose Installs the workers run (no guest slots): the sleep/wake protocol under injection.</summary>
    internal static void InstallScenario(Execution execution, int workers, int callers, int installsEach)
    {
        WorkStealingPool pool = CreatePool(execution, workers, guestSlots: 0);
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
