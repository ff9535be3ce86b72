namespace WorkPool.Tests;

/// <summary>
/// R47 (docs/design/dispose-gate.md): producers waiting for room in a full ring when Dispose
/// starts are refused at the gate one by one as consumers free slots. A refused producer that a
/// consumer woke must pass the wake-up on; otherwise, with more waiters than jobs left, the last
/// waiter sleeps on an empty ring, and a guest call that waits for it keeps Dispose (which first
/// waits for guest calls) from ever reaching the wake-up of every producer.
/// </summary>
public class RingWaiterWakeUpTests
{
    private const int Producers = 3;

    [Fact]
    public void ProducersWaitingOnAFullRing_RefusedOneByOneAtDispose_AllReturn_WhileAGuestCallHoldsDispose()
    {
        Bounded.Run(static () =>
        {
            var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 1, InjectorCapacity = 2, GuestSlots = 1, ThreadNamePrefix = "r47" });
            using var workerBlocked = new ManualResetEventSlim();
            using var releaseWorker = new ManualResetEventSlim();
            using var guestIn = new ManualResetEventSlim();
            using var producersDone = new CountdownEvent(Producers);
            int fillersRan = 0;
            int refused = 0;
            int producerJobsRan = 0;
            bool guestSawProducersDone = false;

            // The worker is held inside a job, so the ring stays full.
            pool.Spawn(() =>
            {
                workerBlocked.Set();
                releaseWorker.Wait(Bounded.WaitLimit);
            });
            Assert.True(workerBlocked.Wait(Bounded.WaitLimit));
            pool.Spawn(() => Interlocked.Increment(ref fillersRan));
            pool.Spawn(() => Interlocked.Increment(ref fillersRan));
            Assert.Equal(2, pool.Injector.Count);

            var producers = new Thread[Producers];
            for (int i = 0; i < Producers; i++)
            {
                producers[i] = new Thread(() =>
                {
                    try
                    {
                        pool.Spawn(() => Interlocked.Increment(ref producerJobsRan));
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                    finally
                    {
                        producersDone.Signal();
                    }
                })
                { IsBackground = true, Name = $"r47-producer-{i}" };
                producers[i].Start();
            }

            WaitFor(() => pool.Injector.WaitingProducers == Producers, "every producer registered as a ring waiter");

            // A guest call that waits for the producers: Dispose waits for it before it closes the gate.
            var guest = new Thread(() => pool.Install(() =>
            {
                guestIn.Set();
                guestSawProducersDone = producersDone.Wait(Bounded.WaitLimit);
            }))
            { IsBackground = true, Name = "r47-guest" };
            guest.Start();
            Assert.True(guestIn.Wait(Bounded.WaitLimit));

            var disposer = new Thread(pool.Dispose) { IsBackground = true, Name = "r47-disposer" };
            disposer.Start();
            WaitFor(() => pool.IsDisposed, "Dispose started");

            // The worker drains the two queued jobs: each dequeue wakes one waiter, which the gate
            // now refuses; the third waiter is woken only by a refused one passing its wake-up on.
            releaseWorker.Set();

            Assert.True(guest.Join(Bounded.ThreadsLimit), "the guest call did not return");
            Assert.True(guestSawProducersDone, "a producer stayed asleep on the emptied ring until Dispose woke it");
            Assert.True(disposer.Join(Bounded.ThreadsLimit), "Dispose did not return");
            foreach (Thread producer in producers)
            {
                Assert.True(producer.Join(Bounded.ThreadsLimit), "a producer did not return");
            }

            Assert.Equal(2, fillersRan);
            Assert.Equal(Producers, refused);
            Assert.Equal(0, producerJobsRan);
        });
    }

    /// <summary>Polls <paramref name="condition"/> (state other threads reach by themselves) until it holds, failing after <see cref="Bounded.WaitLimit"/>.</summary>
    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bounded.WaitLimit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            Thread.Yield();
        }
    }
}
