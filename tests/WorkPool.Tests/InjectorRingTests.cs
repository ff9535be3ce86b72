namespace WorkPool.Tests;

/// <summary>The bounded MPMC injector ring: FIFO, bounded (a full ring rejects, never overwrites; 2 slots is the smallest ring, the options reject 1), every item dequeued exactly once under contention, one producer's items in order, and blocked producers are woken by consumers.</summary>
public class InjectorRingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void SingleThread_FifoAndBounded_OverManyLaps(int capacity) => Bounded.Run(() =>
    {
        var ring = new InjectorRing(capacity);
        Assert.Equal(capacity, ring.Capacity);
        Assert.True(ring.LooksEmpty);
        Assert.Null(ring.TryDequeue());
        int next = 0;
        for (int lap = 0; lap < 10; lap++)
        {
            var batch = new TestJob[capacity];
            for (int i = 0; i < capacity; i++)
            {
                batch[i] = new TestJob(next++);
                Assert.True(ring.TryEnqueue(batch[i]), $"lap {lap}: enqueue {i} of {capacity} rejected");
                Assert.Equal(i + 1, ring.Count);
            }

            Assert.False(ring.TryEnqueue(new TestJob(-1)), $"lap {lap}: a full ring of capacity {capacity} accepted one more job");
            Assert.Equal(capacity, ring.Count);
            Assert.False(ring.LooksEmpty);

            for (int i = 0; i < capacity; i++)
            {
                Assert.Same(batch[i], ring.TryDequeue());
            }

            Assert.Null(ring.TryDequeue());
            Assert.True(ring.LooksEmpty);
            Assert.Equal(0, ring.Count);
        }
    });

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void SingleThread_InterleavedEnqueueDequeue_KeepsOrder(int capacity) => Bounded.Run(() =>
    {
        var ring = new InjectorRing(capacity);
        var queued = new Queue<TestJob>();
        uint seed = 3;
        for (int i = 0; i < 10_000; i++)
        {
            seed = (seed * 1664525u) + 1013904223u;
            if ((seed >> 31) == 0)
            {
                var job = new TestJob(i);
                bool accepted = ring.TryEnqueue(job);
                Assert.Equal(queued.Count < capacity, accepted);
                if (accepted)
                {
                    queued.Enqueue(job);
                }
            }
            else
            {
                Job? job = ring.TryDequeue();
                Assert.Same(queued.Count == 0 ? null : queued.Dequeue(), job);
            }
        }
    });

    [Theory]
    [InlineData(2, 3, 2, false)]
    [InlineData(2, 6, 3, true)]
    [InlineData(4, 8, 4, true)]
    public void Contended_ManyProducersManyConsumers_EveryItemExactlyOnce(int capacity, int producers, int consumers, bool blockingProducers) => Bounded.Run(() =>
    {
        // Spinning producers (TryEnqueue in a yield loop) crawl when the machine is loaded: fewer items for them.
        int perProducer = blockingProducers ? 5_000 : 2_000;
        var ring = new InjectorRing(capacity);
        var items = new TestJob[producers * perProducer];
        for (int p = 0; p < producers; p++)
        {
            for (int i = 0; i < perProducer; i++)
            {
                items[(p * perProducer) + i] = new TestJob((p * perProducer) + i, p, i);
            }
        }

        var taken = new int[items.Length];
        int total = 0;
        Bounded.Threads(producers + consumers, t =>
        {
            if (t < producers)
            {
                for (int i = 0; i < perProducer; i++)
                {
                    Produce(ring, items[(t * perProducer) + i], blockingProducers);
                }
            }
            else
            {
                SpinWait spinner = default;
                while (Volatile.Read(ref total) < items.Length)
                {
                    if (ring.TryDequeue() is TestJob job)
                    {
                        Interlocked.Increment(ref taken[job.Id]);
                        Interlocked.Increment(ref total);
                    }
                    else
                    {
                        Bounded.Pause(ref spinner);
                    }
                }
            }
        });

        Assert.Equal(items.Length, total);
        for (int id = 0; id < items.Length; id++)
        {
            Assert.True(taken[id] == 1, $"item {id} was dequeued {taken[id]} times");
        }

        Assert.Null(ring.TryDequeue());
    });

    [Theory]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(16, true)]
    public void Contended_SingleConsumer_SeesEachProducersItemsInOrder(int capacity, bool blockingProducers) => Bounded.Run(() =>
    {
        // Spinning producers (TryEnqueue in a yield loop) crawl when the machine is loaded: fewer
        // of them, with fewer items (still more threads than the CI machine's 2 cores).
        int producers = blockingProducers ? 6 : 3;
        int perProducer = blockingProducers ? 5_000 : 2_000;
        var ring = new InjectorRing(capacity);
        var next = new int[producers];
        int received = 0;
        Bounded.Threads(producers + 1, t =>
        {
            if (t < producers)
            {
                for (int i = 0; i < perProducer; i++)
                {
                    Produce(ring, new TestJob((t * perProducer) + i, t, i), blockingProducers);
                }
            }
            else
            {
                SpinWait spinner = default;
                while (received < producers * perProducer)
                {
                    if (ring.TryDequeue() is TestJob job)
                    {
                        // Exactly the next item of that producer: none lost, none twice, none reordered.
                        Assert.Equal(next[job.Producer], job.Sequence);
                        next[job.Producer]++;
                        received++;
                    }
                    else
                    {
                        Bounded.Pause(ref spinner);
                    }
                }
            }
        });

        Assert.All(next, n => Assert.Equal(perProducer, n));
        Assert.Null(ring.TryDequeue());
    });

    [Fact]
    public void BlockedProducers_AreWokenWhenAConsumerFreesASlot() => Bounded.Run(() =>
    {
        // A full ring, 8 producers that must all park (spin budget 0), then one consumer that
        // drains slowly: every producer must get its item in, nobody stays parked.
        const int Producers = 8;
        var ring = new InjectorRing(2);
        Assert.True(ring.TryEnqueue(new TestJob(-1)));
        Assert.True(ring.TryEnqueue(new TestJob(-2)));
        var taken = new int[Producers];
        int received = 0;
        Bounded.Threads(Producers + 1, t =>
        {
            if (t < Producers)
            {
                ThreadContext context = ThreadContext.Current;
                var accepts = new RingAccepts(ring, new TestJob(t));
                context.WaitUntil(ref accepts, spinCount: 0);
            }
            else
            {
                SpinWait spinner = default;
                while (received < Producers + 2)
                {
                    if (ring.TryDequeue() is TestJob job)
                    {
                        if (job.Id >= 0)
                        {
                            taken[job.Id]++;
                        }

                        received++;
                    }
                    else
                    {
                        Bounded.Pause(ref spinner);
                    }
                }
            }
        });

        Assert.All(taken, n => Assert.Equal(1, n));
    });

    /// <summary>
    /// Enqueue <paramref name="job"/>: either by retrying <see cref="InjectorRing.TryEnqueue"/>
    /// with yields, or through the engine's own blocking path (spin briefly, register as a
    /// waiting producer, park until a consumer frees a slot).
    /// </summary>
    private static void Produce(InjectorRing ring, Job job, bool blocking)
    {
        if (blocking)
        {
            ThreadContext context = ThreadContext.Current;
            var accepts = new RingAccepts(ring, job);
            context.WaitUntil(ref accepts, spinCount: 4);
            return;
        }

        SpinWait spinner = default;
        while (!ring.TryEnqueue(job))
        {
            Bounded.Pause(ref spinner);
        }
    }
}
