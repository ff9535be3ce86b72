using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>
/// Interrupts aimed at every thread that spawns, while job caches grow: outside callers (guests
/// and, with the guest slots taken, callers handed to the workers) and the workers themselves.
/// Every call must return, every spawn run exactly once, and nothing but the callers' own
/// explicit check may see the interrupt (the engine leaves it pending). Before the fix, a growing
/// cache's <c>lock</c> threw <see cref="ThreadInterruptedException"/> on a worker (the process
/// ended) or out of a Scope with jobs still counted, and a cache's wait for a producer's
/// publication threw from <c>Thread.Sleep(0)</c>.
/// </summary>
public class InterruptStressTests
{
    private const int Callers = 6;

    [Fact]
    public void SpawnersInstallersAndWorkers_InterruptedWhileCachesGrow_EveryCallReturnsAndEveryJobRunsOnce() => Bounded.Run(() =>
    {
        const int Pools = 40;
        const int RoundsPerPool = 40;
        const int SpawnsPerScope = 64;
        long expected = 0;
        var ran = new StrongBox<long>();
        var workers = new ConcurrentBag<Thread>();
        for (int p = 0; p < Pools; p++)
        {
            // Small caches and rings, and a fresh pool each time: the caches grow during the run.
            using var pool = new WorkStealingPool(new WorkStealingPoolOptions
            {
                ThreadCount = 2,
                GuestSlots = 2,
                InjectorCapacity = 2,
                DequeCapacity = 2,
                SpawnedJobsPerType = 1,
                ThreadNamePrefix = "wp.interrupt-stress",
                OnWorkerStart = _ => workers.Add(Thread.CurrentThread),
            });
            var callers = new Thread?[Callers];
            using var stop = new CancellationTokenSource();
            var interrupter = new Thread(() =>
            {
                var random = new Random(p);
                while (!stop.IsCancellationRequested)
                {
                    Thread? target = random.Next(3) == 0 ? workers.ElementAtOrDefault(random.Next(workers.Count)) : Volatile.Read(ref callers[random.Next(Callers)]);
                    target?.Interrupt();
                    Thread.Yield();
                }
            })
            { IsBackground = true, Name = "interrupter" };
            interrupter.Start();
            try
            {
                Bounded.Threads(Callers, c =>
                {
                    Volatile.Write(ref callers[c], Thread.CurrentThread);
                    for (int round = 0; round < RoundsPerPool; round++)
                    {
                        pool.Scope(ran, static (ran, scope) =>
                        {
                            for (int i = 0; i < SpawnsPerScope; i++)
                            {
                                scope.Spawn(ran, static (ran, _) => Interlocked.Increment(ref ran.Value));
                            }
                        });
                        pool.Install(ran, static ran => Interlocked.Increment(ref ran.Value));
                        pool.Spawn(ran, static ran => Interlocked.Increment(ref ran.Value));
                        Interlocked.Add(ref expected, SpawnsPerScope + 2);
                        // The caller's own interruptible wait consumes what the engine left pending.
                        _ = InterruptTests.InterruptPending();
                    }
                });
            }
            finally
            {
                stop.Cancel();
                Assert.True(interrupter.Join(Bounded.WaitLimit));
            }

            // Dispose runs every spawn queued before it.
            pool.Dispose();
            Assert.Equal(Volatile.Read(ref expected), Volatile.Read(ref ran.Value));
            workers.Clear();
        }
    });
}
