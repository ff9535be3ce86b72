using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The job latch (<see cref="AwaitedJob"/>) with the real <see cref="Parker"/>: an executor
/// completing while the owner spins, announces parking, parks, wakes and withdraws, over
/// several rounds of one reused job (stale permits from earlier rounds included).
/// </summary>
public sealed class LatchScheduleTests(ITestOutputHelper output)
{

    [Fact]
    public void ExecutorCompletingVersusOwnerParking_Exhaustive()
    {
        Explorer.Check(output, "latch: executor completing vs owner parking, 3 rounds of one job (exhaustive)",
            new ExploreOptions { PreemptionBound = 3 }, execution => Scenario(execution, rounds: 3));
    }

    [Fact]
    public void ExecutorCompletingVersusOwnerParking_RandomAndPct()
    {
        Explorer.Check(output, "latch: executor completing vs owner parking, 3 rounds of one job",
            new ExploreOptions { Runs = 600 }, execution => Scenario(execution, rounds: 3));
    }

    private static void Scenario(Execution execution, int rounds)
    {
        var owner = new ThreadContext(worker: null);
        var job = new WorkJob<DoubleWork>(owner.Parker);
        var handOff = new HandOff();
        int[] results = new int[rounds];
        execution.Spawn("owner", () =>
        {
            for (int round = 0; round < rounds; round++)
            {
                job.Work = new DoubleWork { Input = round + 1 };
                job.Arm();
                handOff.Job = job;
                var done = new JobDone(job);
                owner.WaitUntil(ref done, spinCount: 1);
                Assert.True(job.IsDone);
                Assert.Null(job.TakeError());
                results[round] = job.Work.Output;
            }
        });
        execution.Spawn("executor", () =>
        {
            for (int round = 0; round < rounds; round++)
            {
                while (handOff.Job is null)
                {
                    SchedulePoint.Spin();
                }

                Job taken = handOff.Job;
                handOff.Job = null;
                taken.Execute(null!);
            }
        });
        execution.Run();
        for (int round = 0; round < rounds; round++)
        {
            Assert.True(results[round] == 2 * (round + 1), $"Round {round}: the owner saw {results[round]}, not the executor's result {2 * (round + 1)}.");
        }
    }

    private sealed class HandOff
    {
        public Job? Job;
    }

    private struct DoubleWork : IWork
    {
        public int Input;
        public int Output;

        public void Run(ForkContext context) => Output = Input * 2;
    }
}
