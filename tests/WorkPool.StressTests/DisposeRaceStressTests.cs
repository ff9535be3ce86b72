namespace WorkPool.StressTests;

/// <summary>
/// Dispose racing with outside callers: rounds of two pools that callers keep running random
/// trees on (across both pools, with faults and forced GCs) while disposer threads dispose them,
/// at a random moment, in a random order or both ways at once, from plain threads or from a worker
/// of a third pool; every pool is disposed twice, concurrently. Every tree is accounted for
/// exactly: each call completes or is refused with <see cref="ObjectDisposedException"/> (and
/// then nothing of it ran), nothing hangs, nothing is lost, and once Dispose returned no worker
/// thread is alive and a new call is refused at once.
/// </summary>
public sealed class DisposeRaceStressTests(ITestOutputHelper output)
{
    private const int Callers = 6;
    private const int Disposers = 2;

    [Fact]
    public void Dispose_RacingWithCallers_EachCallCompletesOrIsRefused_NoWorkerSurvives()
    {
        TimeSpan budget = StressSettings.Budget(12);
        var deadline = new Deadline(budget);
        var totals = new StressTotals();
        int rounds = 0;
        long treesAfterDispose = 0;
        var random = new Random(8);
        using var hammer = new GcHammer(periodMilliseconds: 8);
        using var control = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 1, ThreadNamePrefix = "stress.dispose.control" });
        do
        {
            treesAfterDispose += Round(rounds, random.Next(), totals, control);
            rounds++;
        }
        while (!deadline.Passed || rounds < 3);

        output.WriteLine($"{rounds} rounds: {totals}; {treesAfterDispose} trees refused after both Dispose calls returned; {hammer.Collections} forced GCs");
        Assert.True(totals.RefusedTrees > 0, "no call was ever refused: the race was not exercised");
    }

    private static long Round(int round, int seed, StressTotals totals, WorkStealingPool control)
    {
        var random = new Random(seed);
        string name = $"dispose{round}";
        int[] threads = [random.Next(1, 5), random.Next(1, 3)];
        int capacity = random.Next(2) == 0 ? 2 : 1024;
        int spinCount = random.Next(3) switch { 0 => 0, 1 => 32, _ => 512 };
        int treesBeforeDispose = random.Next(0, 4 * Callers);
        int order = random.Next(3); // 0: A then B, 1: B then A, 2: one disposer each way
        bool viaControl = random.Next(2) == 0;
        var shape = new TreeShape { Pools = 2, MaxNodes = 60 };

        var pools = new StressPools(name, threads, (_, o) =>
        {
            o.InjectorCapacity = capacity;
            o.SpinCount = spinCount;
        });
        var harness = new StressHarness(pools, name, $"round {round} (seed {seed}): threads {threads[0]}/{threads[1]}, ring {capacity}, spin {spinCount}, dispose after {treesBeforeDispose} trees, order {order}, via control pool {viaControl}");
        using var enough = new ManualResetEventSlim(treesBeforeDispose == 0);
        using var disposedBoth = new CountdownEvent(Disposers);
        int remaining = treesBeforeDispose;
        long refusedAfter = 0;

        harness.Run(Callers + Disposers, StressSettings.Budget(10), (index, progress) =>
        {
            if (index >= Callers)
            {
                int disposer = index - Callers;
                progress.Phase = "waiting to dispose";
                Assert.True(enough.Wait(StressSettings.HangGrace), "callers completed too few trees before the disposal");

                // Both disposers dispose both pools (concurrent, repeated Dispose calls): in the
                // same order (A then B, or B then A), or in opposite orders.
                bool bFirst = order == 1 || (order == 2 && disposer == 1);
                WorkStealingPool first = pools.All[bFirst ? 1 : 0];
                WorkStealingPool second = pools.All[bFirst ? 0 : 1];
                // The second disposer calls from a worker of a third pool in half of the rounds
                // (allowed: that worker is not one the disposed pools' work waits for).
                progress.Phase = $"disposer {disposer}: disposing pool {(bFirst ? 'B' : 'A')}, then pool {(bFirst ? 'A' : 'B')}{(viaControl && disposer == 1 ? ", from a worker of the control pool" : "")}";
                if (viaControl && disposer == 1)
                {
                    control.Install((first, second), static p =>
                    {
                        p.first.Dispose();
                        p.second.Dispose();
                    });
                }
                else
                {
                    first.Dispose();
                    second.Dispose();
                }

                progress.Phase = $"disposer {disposer}: done";
                disposedBoth.Signal();
                return;
            }

            int tree = 0;
            while (!(pools.All[0].IsDisposed && pools.All[1].IsDisposed) && !harness.Failed)
            {
                harness.RunTree(pools.All, shape, (seed ^ (index << 24)) + tree++, progress);
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    enough.Set();
                }
            }

            progress.Phase = "waiting for both Dispose calls to return";
            Assert.True(disposedBoth.Wait(StressSettings.HangGrace), "Dispose did not return");

            // Both Dispose calls returned: a new call is refused at its root and nothing of it runs.
            Exception? error = harness.RunTree(pools.All, shape, (seed ^ (index << 24)) + tree, progress);
            if (error is not ObjectDisposedException)
            {
                harness.Fail($"a call after Dispose returned ended with {error?.GetType().Name ?? "success"}, not ObjectDisposedException");
            }

            Interlocked.Increment(ref refusedAfter);
        });

        pools.AssertAllWorkersExited();
        foreach (WorkStealingPool pool in pools.All)
        {
            Assert.Equal(0, pool.Injector.Count + pool.InstallRing.Count);
        }

        totals.Merge(harness.Totals);
        return refusedAfter;
    }
}
