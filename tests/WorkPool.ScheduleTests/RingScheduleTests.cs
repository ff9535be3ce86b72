using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>The injector ring (<see cref="InjectorRing"/>) under adversarial schedules.</summary>
public sealed class RingScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void WrapAroundWithSlowConsumers()
    {
        Explorer.Check(output, "ring: capacity 2, 2 producers x 3, 2 consumers, wrap-around", new ExploreOptions { Runs = 400 },
            execution =>
            {
                const int Producers = 2;
                const int PerProducer = 3;
                var ring = new InjectorRing(2);
                var log = new TakenLog(Producers * PerProducer);
                for (int p = 0; p < Producers; p++)
                {
                    int producer = p;
                    execution.Spawn($"producer {p}", () =>
                    {
                        for (int i = 0; i < PerProducer; i++)
                        {
                            var job = new TestJob(producer * PerProducer + i);
                            while (!ring.TryEnqueue(job))
                            {
                                SchedulePoint.Spin(); // full: wait for a consumer
                            }
                        }
                    });
                }

                for (int c = 0; c < 2; c++)
                {
                    string name = $"consumer {c}";
                    execution.Spawn(name, () => ConsumeInProducerOrder(ring, log, name, Producers, PerProducer));
                }

                execution.Run();
                log.AssertEachExactlyOnce();
                Assert.Null(ring.TryDequeue());
                Assert.True(ring.LooksEmpty);
            });
    }

    [Fact]
    public void FullRingWithBlockedProducers()
    {
        Explorer.Check(output, "ring: capacity 2, 3 producers x 2 parking on the full ring, 1 slow consumer", new ExploreOptions { Runs = 400 },
            execution => FullRing(execution, producers: 3, perProducer: 2));
    }

    [Fact]
    public void FullRingWithBlockedProducers_Exhaustive()
    {
        Explorer.Check(output, "ring: capacity 2, 1 producer x 3 parking on the full ring, 1 slow consumer (exhaustive)",
            new ExploreOptions { PreemptionBound = 1 }, execution => FullRing(execution, producers: 1, perProducer: 3));
    }

    /// <summary>
    /// Producers use the engine's own blocking path (<see cref="RingAccepts"/> through
    /// <see cref="ThreadContext.WaitUntil"/>: spin, register as waiter, park on the real
    /// <see cref="Parker"/>); a consumer that frees a slot must wake one. A lost wake-up is a deadlock.
    /// </summary>
    private static void FullRing(Execution execution, int producers, int perProducer)
    {
        var ring = new InjectorRing(2);
        var log = new TakenLog(producers * perProducer);
        for (int p = 0; p < producers; p++)
        {
            int producer = p;
            execution.Spawn($"producer {p}", () =>
            {
                var context = new ThreadContext(worker: null);
                for (int i = 0; i < perProducer; i++)
                {
                    var accepts = new RingAccepts(ring, new TestJob(producer * perProducer + i));
                    context.WaitUntil(ref accepts, spinCount: 1);
                }

                Assert.False(context.IsRingWaiter, "A producer left the wait still registered.");
            });
        }

        execution.Spawn("consumer", () => ConsumeInProducerOrder(ring, log, "consumer", producers, perProducer));

        execution.Run();
        log.AssertEachExactlyOnce();
        Assert.Null(ring.TryDequeue());
    }

    /// <summary>
    /// A consumer: takes elements until every one was taken (by any consumer), spinning while the
    /// ring is empty, and checks that it sees each producer's elements in their order (element ids
    /// are <c>producer * perProducer + sequence</c>).
    /// </summary>
    private static void ConsumeInProducerOrder(InjectorRing ring, TakenLog log, string name, int producers, int perProducer)
    {
        int[] lastSeen = new int[producers];
        Array.Fill(lastSeen, -1);
        while (log.Total < producers * perProducer)
        {
            if (ring.TryDequeue() is TestJob job)
            {
                log.Add(job, name);
                int producer = job.Id / perProducer;
                Assert.True(job.Id > lastSeen[producer], $"{name} took element {job.Id} after {lastSeen[producer]}: producer {producer}'s order broken.");
                lastSeen[producer] = job.Id;
            }
            else
            {
                SchedulePoint.Spin();
            }
        }
    }
}
