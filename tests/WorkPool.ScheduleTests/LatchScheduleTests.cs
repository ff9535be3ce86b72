using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>
/// The job latch (<see cref="AwaitedJob"/>) and the countdown latch of scopes and broadcasts
/// (<see cref="ParkingCount"/>) with the real <see cref="Parker"/>: executors completing while
/// the owner spins, announces parking, parks, wakes and withdraws, over several rounds of one
/// reused latch (stale permits from earlier rounds included).
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

    private static unsafe void Scenario(Execution execution, int rounds)
    {
        var owner = new ThreadContext(worker: null);
        var job = new FrameJob(owner.Parker);
        var handOff = new HandOff();
        int[] results = new int[rounds];
        execution.Spawn("owner", () =>
        {
            for (int round = 0; round < rounds; round++)
            {
                // The body lies on the owner's stack and the executor runs it in place, as for
                // an Install handed to a worker.
                var work = new DoubleWork { Input = round + 1 };
                job.Load(System.Runtime.CompilerServices.Unsafe.AsPointer(ref work), &FrameJob.RunBody<DoubleWork>);
                handOff.Job = job;
                var done = new JobDone(job);
                owner.WaitUntil(ref done, spinCount: 1);
                Assert.True(job.IsDone);
                Assert.Null(job.TakeError());
                results[round] = work.Output;
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

    [Fact]
    public void CountdownCompletersVersusOwnerParking_Exhaustive()
    {
        Explorer.Check(output, "countdown: 2 completers vs owner parking, 1 round (exhaustive)",
            new ExploreOptions { PreemptionBound = 2 }, execution => CountdownScenario(execution, completers: 2, rounds: 1));
    }

    [Fact]
    public void CountdownCompletersVersusOwnerParking_RandomAndPct()
    {
        Explorer.Check(output, "countdown: 2 completers vs owner parking, 3 rounds of one count",
            new ExploreOptions { Runs = 600 }, execution => CountdownScenario(execution, completers: 2, rounds: 3));
    }

    /// <summary>
    /// Each round the owner arms the count for <paramref name="completers"/> holders, then waits
    /// until it is zero; each completer completes once per round. The owner must wake every round,
    /// and see each completer's write from before its completion.
    /// </summary>
    private static void CountdownScenario(Execution execution, int completers, int rounds)
    {
        var owner = new ThreadContext(worker: null);
        // Round 0 is armed before the run starts; the owner arms each later one.
        var count = new ParkingCount[] { new(generation: 0, pending: completers) };
        int[] armedRound = [0];
        int[] completed = new int[1];
        execution.Spawn("owner", () =>
        {
            for (int round = 0; round < rounds; round++)
            {
                if (round > 0)
                {
                    ParkingCount.VolatileWrite(ref count[0], new ParkingCount((uint)round, completers));
                    Volatile.Write(ref armedRound[0], round);
                }

                var done = new CountDone(count);
                owner.WaitUntil(ref done, spinCount: 1);
                Assert.True(completed[0] == (round + 1) * completers, $"Round {round}: the owner woke after {completed[0]} completions, not {(round + 1) * completers}.");
            }
        });
        for (int c = 0; c < completers; c++)
        {
            execution.Spawn($"completer {c}", () =>
            {
                for (int round = 0; round < rounds; round++)
                {
                    while (Volatile.Read(ref armedRound[0]) < round)
                    {
                        SchedulePoint.Spin();
                    }

                    Interlocked.Increment(ref completed[0]);
                    ParkingCount.Complete(ref count[0], owner.Parker);
                }
            });
        }

        execution.Run();
        Assert.Equal(new ParkingCount((uint)(rounds - 1), 0), count[0]);
    }

    /// <summary>The owner's wait condition on a bare count, as <see cref="ScopeDone"/> is for a scope's.</summary>
    private readonly struct CountDone(ParkingCount[] count) : IWakeCondition
    {
        public bool IsMet() => ParkingCount.IsZero(ref count[0]);

        public bool TryRegister(ThreadContext waiter) => ParkingCount.TryRegisterWaiter(ref count[0]);

        public void Unregister(ThreadContext waiter) => ParkingCount.UnregisterWaiter(ref count[0]);
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
