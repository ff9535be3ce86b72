namespace WorkPool.Tests;

/// <summary>
/// <see cref="BoundedQueue{T}"/> and the <see cref="JobCache"/> on top of it: a queue that holds
/// fewer items than its capacity never reports full, and one that holds items never reports empty,
/// however its consumers and producers are preempted between their claim and their release. A
/// false "full" made job caches grow (allocation after warm-up) and dropped pooled completion
/// sources and objects; a false "empty" made caches allocate jobs the shape already owned.
/// </summary>
public class BoundedQueueTests
{
    private sealed class Item;

    /// <summary>
    /// Threads (more than cores, so consumers get preempted between their head CAS and their
    /// release of the slot) each take an item and put it back, over a queue that holds a quarter
    /// of its capacity: every put must succeed and every take must find an item.
    /// </summary>
    [Theory]
    [InlineData(4, 1)]
    [InlineData(8, 2)]
    [InlineData(16, 4)]
    public void TakeAndPutBack_UnderPreemption_NeverLooksFullOrEmpty(int capacity, int items) => Bounded.Run(() =>
    {
        const int Threads = 6;
        const int Rounds = 1_000_000;
        var queue = new BoundedQueue<Item>(capacity);
        for (int i = 0; i < items; i++)
        {
            Assert.True(queue.TryEnqueue(new Item()));
        }

        long falseFull = 0;
        Bounded.Threads(Threads, _ =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                // Threads outnumber items, so a take may find every item held by others (a real
                // empty); a put always has room (at most `items` are in the queue).
                if (queue.TryDequeue() is not { } item)
                {
                    continue;
                }

                if (!queue.TryEnqueue(item))
                {
                    Interlocked.Increment(ref falseFull);
                    return; // the item is lost to the queue; the count below fails the test
                }
            }
        });

        Assert.Equal(0, falseFull);
        int left = 0;
        while (queue.TryDequeue() is not null)
        {
            left++;
        }

        Assert.Equal(items, left);
    });

    /// <summary>The queue still reports a real full and a real empty.</summary>
    [Fact]
    public void FullAndEmpty_AreReported()
    {
        var queue = new BoundedQueue<Item>(4);
        Assert.Null(queue.TryDequeue());
        for (int i = 0; i < 4; i++)
        {
            Assert.True(queue.TryEnqueue(new Item()));
        }

        Assert.False(queue.TryEnqueue(new Item()));
        Assert.NotNull(queue.TryDequeue());
        Assert.True(queue.TryEnqueue(new Item()));
        Assert.False(queue.TryEnqueue(new Item()));
    }

    /// <summary>
    /// A job cache whose jobs in flight never exceed its capacity never grows, however its
    /// takers and givers are preempted (it grew to 1,792 with at most 96 in flight).
    /// </summary>
    [Fact]
    public void JobCache_InFlightBelowCapacity_NeverGrows() => Bounded.Run(() =>
    {
        const int Threads = 6;
        const int Capacity = 16;
        const int Held = 2; // per thread: 12 in flight at most
        var cache = new JobCache(Capacity, batch: Capacity);
        for (int i = 0; i < Capacity; i++)
        {
            cache.Return(new TestJob(cache));
        }

        long created = 0;
        Bounded.Threads(Threads, _ =>
        {
            var held = new PooledJob[Held];
            for (int round = 0; round < 100_000; round++)
            {
                for (int h = 0; h < Held; h++)
                {
                    held[h] = cache.TryTake() ?? CountCreated(cache, ref created);
                }

                for (int h = 0; h < Held; h++)
                {
                    cache.Return(held[h]);
                }
            }
        });

        Assert.Equal(Capacity, cache.Capacity);
        Assert.Equal(0, created); // at least Capacity - 12 jobs are free at any time
    });

    private static TestJob CountCreated(JobCache cache, ref long created)
    {
        Interlocked.Increment(ref created);
        return new TestJob(cache);
    }

    private sealed class TestJob(JobCache cache) : PooledJob(cache)
    {
        internal override void Execute(Participant executor) => throw new InvalidOperationException("Never run.");
    }
}
