namespace WorkPool.StressTests;

/// <summary>
/// Interrupts for 30 seconds (issue 21): six outside callers loop Scopes with spawns, Installs of
/// Joins and parallel loops (some as guests, some handed to the workers: the pool has fewer guest
/// slots than callers) while another thread interrupts them at random. The engine never lets an
/// interrupt end one of its waits or locks: every call returns, every spawn, half and iteration
/// runs exactly once (the counts balance), and the interrupt stays pending for the caller's own
/// explicit check, which clears it.
/// </summary>
public sealed class InterruptStressTests(ITestOutputHelper output)
{
    private const int Callers = 6;
    private const int SpawnsPerScope = 16;
    private const int LoopLength = 256;

    [Fact]
    public void SpawnersInstallersAndLoopCallers_InterruptedAtRandom_EveryCallReturns_EveryCountBalances()
    {
        TimeSpan budget = StressSettings.Budget(30);
        using var pools = new StressPools("interrupts", [2], (_, o) =>
        {
            o.GuestSlots = 2;
            o.InjectorCapacity = 4;
            o.DequeCapacity = 4;
            o.SpinCount = 64;
        });
        WorkStealingPool pool = pools.All[0];
        var harness = new StressHarness(pools, "interrupts");
        long[] expected = new long[Callers];
        long[] ran = new long[Callers];
        long[] interruptsSeen = new long[Callers];
        var callers = new Thread?[Callers];
        int stop = 0;

        var interrupter = new Thread(() =>
        {
            var random = new Random(21);
            while (Volatile.Read(ref stop) == 0)
            {
                Volatile.Read(ref callers[random.Next(Callers)])?.Interrupt();
                Thread.SpinWait(random.Next(200, 5_000));
            }
        })
        { IsBackground = true, Name = "stress-interrupter" };
        interrupter.Start();

        try
        {
            harness.Run(Callers, budget, (caller, progress) =>
            {
                Volatile.Write(ref callers[caller], Thread.CurrentThread);
                var deadline = new Deadline(budget);
                long[] counter = [0];
                for (int round = 0; !deadline.Passed && !harness.Failed; round++)
                {
                    switch (round % 3)
                    {
                        case 0:
                            progress.Phase = "scope";
                            pool.Scope(counter, static (c, scope) =>
                            {
                                for (int i = 0; i < SpawnsPerScope; i++)
                                {
                                    scope.Spawn(c, static (c, _) => Interlocked.Increment(ref c[0]));
                                }
                            });
                            expected[caller] += SpawnsPerScope;
                            break;
                        case 1:
                            progress.Phase = "install-join";
                            pool.Install(counter, static c => ForkJoin.Join(c, static c => Interlocked.Increment(ref c[0]), static c => Interlocked.Increment(ref c[0])));
                            expected[caller] += 2;
                            break;
                        default:
                            progress.Phase = "loop";
                            pool.For(0, LoopLength, counter, static (c, i) => Interlocked.Increment(ref c[0]));
                            expected[caller] += LoopLength;
                            break;
                    }

                    // The caller's own explicit check: the interrupt the engine left pending is
                    // seen (and cleared) here, never inside the pool.
                    try
                    {
                        Thread.Sleep(0);
                    }
                    catch (ThreadInterruptedException)
                    {
                        interruptsSeen[caller]++;
                    }
                }

                Volatile.Write(ref callers[caller], null);
                ran[caller] = Interlocked.Read(ref counter[0]);
            });
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            interrupter.Join();
        }

        Assert.Equal(expected, ran);
        Assert.True(interruptsSeen.Sum() > 0, "no interrupt reached a caller: the test interrupted nothing");
        output.WriteLine($"interrupts: {expected.Sum()} counted operations, {interruptsSeen.Sum()} interrupts seen by the callers' own checks");
    }
}
