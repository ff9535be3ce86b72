using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The newer wake-up paths under adversarial schedules: a broadcast delivered to each worker's
/// inbox and woken with <see cref="Sleepers.WakeWorker"/>, a scope's countdown latch
/// (<see cref="ParkingCount"/>) with spawned jobs returned to the shared job cache
/// (<see cref="JobCache"/>), and fire-and-forget spawns that must all run by Dispose.
/// </summary>
public sealed class ScopeBroadcastScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void BroadcastReachesWorkersGoingToSleep()
    {
        Explorer.Check(output, "broadcast: 2 workers going to sleep, an outside thread broadcasts twice", new ExploreOptions { Runs = 200 },
            execution =>
            {
                using WorkStealingPool pool = SleepWakeScheduleTests.CreatePool(execution, workers: 2);
                execution.AwaitAttached(2);
                int[][] runs = [new int[2], new int[2]];
                execution.Spawn("caller", () =>
                {
                    pool.Broadcast(runs[0], static (r, index) => r[index]++);
                    pool.Broadcast(runs[1], static (r, index) => r[index]++);
                });
                execution.Run();
                for (int b = 0; b < 2; b++)
                {
                    Assert.True(runs[b][0] == 1 && runs[b][1] == 1, $"Broadcast {b} ran {runs[b][0]} times on worker 0 and {runs[b][1]} times on worker 1.");
                }
            });
    }

    [Fact]
    public void ScopeWaitsForItsSpawnsWhileWorkersSleep()
    {
        Explorer.Check(output, "scope: 2 workers, an outside scope spawning 2 jobs, twice", new ExploreOptions { Runs = 200 },
            execution =>
            {
                using WorkStealingPool pool = SleepWakeScheduleTests.CreatePool(execution, workers: 2);
                execution.AwaitAttached(2);
                int[][] runs = [new int[2], new int[2]];
                bool[] sawBoth = new bool[2];
                execution.Spawn("caller", () =>
                {
                    for (int s = 0; s < 2; s++)
                    {
                        pool.Scope(runs[s], static (r, scope) =>
                        {
                            scope.Spawn(r, static (r, _) => r[0]++);
                            scope.Spawn(r, static (r, _) => r[1]++);
                        });
                        // The scope returned: both spawns must have run already.
                        sawBoth[s] = runs[s][0] == 1 && runs[s][1] == 1;
                    }
                });
                execution.Run();
                for (int s = 0; s < 2; s++)
                {
                    Assert.True(sawBoth[s], $"Scope {s} returned before its spawns ran (they ran {runs[s][0]} and {runs[s][1]} times by the end).");
                }
            });
    }

    [Fact]
    public void FireAndForgetSpawnsAllRunByDispose()
    {
        Explorer.Check(output, "spawn: an outside thread spawns 3 fire-and-forget jobs into 2 workers going to sleep", new ExploreOptions { Runs = 200 },
            execution =>
            {
                int[] runs = new int[3];
                WorkStealingPool pool = SleepWakeScheduleTests.CreatePool(execution, workers: 2);
                try
                {
                    execution.AwaitAttached(2);
                    execution.Spawn("spawner", () =>
                    {
                        for (int i = 0; i < runs.Length; i++)
                        {
                            pool.Spawn((runs, i), static s => Interlocked.Increment(ref s.runs[s.i]));
                        }
                    });
                    execution.Run();
                }
                finally
                {
                    // Released: whatever the schedule left queued, Dispose must run it.
                    pool.Dispose();
                }

                for (int i = 0; i < runs.Length; i++)
                {
                    Assert.True(runs[i] == 1, $"Fire-and-forget job {i} ran {runs[i]} times.");
                }
            });
    }
}
