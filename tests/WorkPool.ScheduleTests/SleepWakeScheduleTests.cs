using System.Diagnostics;
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
    public void SharedJoinHalfWakesASleepingWorker()
    {
        Explorer.Check(output, "sleep/wake: 2 workers, an outside Join whose first half waits for its second", new ExploreOptions { Runs = 200 }, SharedJoinHalfScenario);
    }

    [Fact]
    public void SharedJoinHalf_ScheduleThatLostTheWatch()
    {
        // Found by the exploration above at WORKPOOL_EXPLORE_SCALE=10 (run 1277): livelock,
        // worker 0 asleep without the watch (Searching 0, Sleeping 1, Watch none) while worker 1's
        // offer stays open and its first half waits for the second.
        ExplorationResult result = Explorer.Explore("sleep/wake: the schedule that lost the watch", new ExploreOptions(), SharedJoinHalfScenario, replay: "random:537754332");
        output.WriteLine(result.Describe());
        Assert.True(result.Failure is null, result.Describe());
    }

    /// <summary>
    /// An outside Join (no guest slots: a worker runs it) whose first half waits, spinning, until
    /// its second has started: the second must be shared while the first runs. No later Join
    /// comes, so an idle worker has to claim it from the offer once it has been open for the
    /// share delay, and a worker asleep when the Join began has to be woken for it (the watch).
    /// Never shared: a livelock, caught by the step bound. The share delay is wall-clock time,
    /// which the scheduler does not control: the spinning half lets the others run meanwhile.
    /// </summary>
    private static void SharedJoinHalfScenario(Execution execution)
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
                // Bounded in real time too, so that after a failed run (the threads then run
                // freely) Dispose does not wait for this half forever.
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref s.runs[1]) == 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(5))
                {
                    SchedulePoint.Spin();
                }

                s.runs[0]++;
            },
            static s =>
            {
                s.ranOn[1] = WorkStealingPool.CurrentWorkerIndex;
                Volatile.Write(ref s.runs[1], s.runs[1] + 1);
            }));
        execution.Run();
        Assert.True(runs[0] == 1 && runs[1] == 1, $"The halves ran {runs[0]} and {runs[1]} times.");
        Assert.True(ranOn[0] != ranOn[1], $"Both halves ran on worker {ranOn[0]}.");
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

    /// <summary>
    /// A pool whose workers join <paramref name="execution"/> as daemons. Without guest slots by
    /// default: the outside threads' calls then go through the ring to the workers, the
    /// handshakes these scenarios explore (a guest would run its call itself).
    /// </summary>
    internal static WorkStealingPool CreatePool(Execution execution, int workers, string name = "", int guestSlots = 0) =>
        new(new WorkStealingPoolOptions
        {
            ThreadCount = workers,
            ThreadNamePrefix = "wp.explore" + name,
            SpinCount = 1,
            InjectorCapacity = 2,
            GuestSlots = guestSlots,
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
