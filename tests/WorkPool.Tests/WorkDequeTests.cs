namespace WorkPool.Tests;

/// <summary>A distinct job object for the internal queue tests: it only counts how often it was taken and executed.</summary>
internal sealed class TestJob(int id, int producer = 0, int sequence = 0) : Job
{
    public int Id { get; } = id;

    public int Producer { get; } = producer;

    public int Sequence { get; } = sequence;

    public int Executions;

    internal override void Execute(Participant executor) => Interlocked.Increment(ref Executions);
}

/// <summary>The Chase–Lev deque: LIFO for its owner, FIFO for thieves, bounded, and every pushed job is taken exactly once under contention.</summary>
public class WorkDequeTests
{
    private static TestJob[] Jobs(int count) => [.. Enumerable.Range(0, count).Select(i => new TestJob(i))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void SingleThread_OwnerIsLifo_ThievesAreFifo_FullRejects(int capacity)
    {
        var deque = new WorkDeque(capacity);
        TestJob[] jobs = Jobs(capacity + 1);
        Assert.True(deque.LooksEmpty);
        Assert.Null(deque.TryPop());
        Assert.Null(deque.TrySteal());

        for (int lap = 0; lap < 5; lap++)
        {
            for (int i = 0; i < capacity; i++)
            {
                Assert.True(deque.TryPush(jobs[i]));
                Assert.Equal(i + 1, deque.Count);
            }

            Assert.False(deque.TryPush(jobs[capacity]), "a full deque accepted a push");
            Assert.Equal(capacity, deque.Count);
            Assert.False(deque.LooksEmpty);

            if (lap % 2 == 0)
            {
                for (int i = capacity - 1; i >= 0; i--)
                {
                    Assert.Same(jobs[i], deque.TryPop());
                }
            }
            else
            {
                for (int i = 0; i < capacity; i++)
                {
                    Assert.Same(jobs[i], deque.TrySteal());
                }
            }

            Assert.Null(deque.TryPop());
            Assert.Null(deque.TrySteal());
            Assert.True(deque.LooksEmpty);
            Assert.Equal(0, deque.Count);
        }
    }

    [Fact]
    public void SingleThread_MixedPopAndSteal_TakeFromOppositeEnds()
    {
        var deque = new WorkDeque(4);
        TestJob[] jobs = Jobs(4);
        foreach (TestJob job in jobs)
        {
            Assert.True(deque.TryPush(job));
        }

        Assert.Same(jobs[0], deque.TrySteal());
        Assert.Same(jobs[3], deque.TryPop());
        Assert.True(deque.TryPush(jobs[3]));
        Assert.True(deque.TryPush(jobs[0]));
        Assert.False(deque.TryPush(jobs[0]));
        Assert.Same(jobs[1], deque.TrySteal());
        Assert.Same(jobs[0], deque.TryPop());
        Assert.Same(jobs[3], deque.TryPop());
        Assert.Same(jobs[2], deque.TryPop());
        Assert.Null(deque.TryPop());
    }

    [Theory]
    [InlineData(1, 3, 500_000)]
    [InlineData(2, 3, 500_000)]
    [InlineData(8, 5, 500_000)]
    [InlineData(64, 3, 1_000_000)]
    public void Contended_OwnerPushesAndPops_ThievesSteal_EveryJobTakenExactlyOnce(int capacity, int thieves, int count) => Bounded.Run(() =>
    {
        var deque = new WorkDeque(capacity);
        TestJob[] jobs = Jobs(count);
        var taken = new int[count];
        int total = 0;
        var stolen = new int[thieves];

        void Take(Job? job)
        {
            if (job is TestJob test)
            {
                Interlocked.Increment(ref taken[test.Id]);
                Interlocked.Increment(ref total);
            }
        }

        Bounded.Threads(thieves + 1, t =>
        {
            if (t == 0)
            {
                uint seed = 7;
                for (int i = 0; i < count; i++)
                {
                    while (!deque.TryPush(jobs[i]))
                    {
                        // Full: the owner takes one back itself, as a worker would run it inline.
                        Take(deque.TryPop());
                    }

                    seed = (seed * 1664525u) + 1013904223u;
                    if ((seed >> 28) < 5)
                    {
                        Take(deque.TryPop());
                    }
                }

                while (deque.TryPop() is { } job)
                {
                    Take(job);
                }
            }
            else
            {
                SpinWait spinner = default;
                while (Volatile.Read(ref total) < count)
                {
                    if (deque.TrySteal() is { } job)
                    {
                        Take(job);
                        stolen[t - 1]++;
                    }
                    else
                    {
                        Bounded.Pause(ref spinner);
                    }
                }
            }
        });

        Assert.Equal(count, total);
        for (int id = 0; id < count; id++)
        {
            Assert.True(taken[id] == 1, $"job {id} was taken {taken[id]} times");
        }

        Assert.True(deque.LooksEmpty);
        Assert.Null(deque.TrySteal());
    });

    [Fact]
    public void Contended_LastElementRace_OwnerPopVersusThieves_ExactlyOneWinner() => Bounded.Run(() =>
    {
        // Push one job, pop it back, while thieves hammer the same single element: the path
        // where owner and thief race on top for the last job (the fence bug of other pools).
        const int Rounds = 1_000_000;
        const int Thieves = 3;
        var deque = new WorkDeque(2);
        TestJob[] jobs = Jobs(Rounds);
        var taken = new int[Rounds];
        int total = 0;
        int ownerWins = 0;
        Bounded.Threads(Thieves + 1, t =>
        {
            if (t == 0)
            {
                for (int i = 0; i < Rounds; i++)
                {
                    Assert.True(deque.TryPush(jobs[i]));
                    if (deque.TryPop() is TestJob job)
                    {
                        Assert.Same(jobs[i], job);
                        Interlocked.Increment(ref taken[job.Id]);
                        Interlocked.Increment(ref total);
                        ownerWins++;
                    }
                }
            }
            else
            {
                int misses = 0;
                while (Volatile.Read(ref total) < Rounds)
                {
                    if (deque.TrySteal() is TestJob job)
                    {
                        Interlocked.Increment(ref taken[job.Id]);
                        Interlocked.Increment(ref total);
                    }
                    else if ((++misses & 63) == 0)
                    {
                        // Oversubscribed: let the owner run now and then.
                        Thread.Yield();
                    }
                }
            }
        });

        Assert.Equal(Rounds, total);
        for (int id = 0; id < Rounds; id++)
        {
            Assert.True(taken[id] == 1, $"job {id} was taken {taken[id]} times (owner won {ownerWins} of {Rounds})");
        }
    });
}
