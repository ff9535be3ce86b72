using Xunit.Abstractions;

namespace WorkPool.ScheduleTests;

/// <summary>The Chase–Lev deque (<see cref="WorkDeque"/>) under adversarial schedules.</summary>
public sealed class DequeScheduleTests(ITestOutputHelper output)
{
    [Fact]
    public void StealVersusPopOfTheLastElement_Exhaustive()
    {
        Explorer.Check(output, "deque: steal vs pop of the last element (exhaustive)", new ExploreOptions { PreemptionBound = 3 },
            execution => DequeScenarios.StealVersusPopOfLast(execution, new RealDeque(4)));
    }

    [Fact]
    public void StealVersusPopOfTheLastElement_RandomAndPct()
    {
        Explorer.Check(output, "deque: steal vs pop of the last element", new ExploreOptions { Runs = 600 },
            execution => DequeScenarios.StealVersusPopOfLast(execution, new RealDeque(4)));
    }

    [Fact]
    public void TwoThievesOnOneElement_Exhaustive()
    {
        Explorer.Check(output, "deque: two thieves and the owner on one element (exhaustive)", new ExploreOptions { PreemptionBound = 2 },
            execution =>
            {
                var deque = new WorkDeque(2);
                var log = new TakenLog(1);
                Assert.True(deque.TryPush(new TestJob(0)));
                execution.Spawn("thief A", () => log.Add(deque.TrySteal(), "thief A"));
                execution.Spawn("thief B", () => log.Add(deque.TrySteal(), "thief B"));
                execution.Spawn("owner", () => log.Add(deque.TryPop(), "owner"));
                execution.Run();
                log.AssertEachExactlyOnce();
                DequeScenarios.AssertEmptyAndUsable(new RealDeque(deque));
            });
    }

    [Fact]
    public void PushPopStealWithWrapAround()
    {
        Explorer.Check(output, "deque: push/pop/steal with wrap-around, capacity 2, two thieves", new ExploreOptions { Runs = 400 },
            execution => DequeScenarios.WrapAround(execution, new RealDeque(2), jobs: 8));
    }
}

/// <summary>The deque operations a scenario needs, so the same scenario runs on the real deque and on a broken copy.</summary>
internal interface IDeque
{
    bool TryPush(Job job);

    Job? TryPop();

    Job? TrySteal();
}

internal sealed class RealDeque(WorkDeque deque) : IDeque
{
    public RealDeque(int capacity)
        : this(new WorkDeque(capacity))
    {
    }

    public bool TryPush(Job job) => deque.TryPush(job);

    public Job? TryPop() => deque.TryPop();

    public Job? TrySteal() => deque.TrySteal();
}

internal static class DequeScenarios
{
    /// <summary>Owner pushes two and pops until empty; a thief steals twice. Each element once.</summary>
    internal static void StealVersusPopOfLast(Execution execution, IDeque deque)
    {
        var log = new TakenLog(2);
        execution.Spawn("owner", () =>
        {
            Assert.True(deque.TryPush(new TestJob(0)));
            Assert.True(deque.TryPush(new TestJob(1)));
            log.Add(deque.TryPop(), "owner");
            log.Add(deque.TryPop(), "owner");
        });
        execution.Spawn("thief", () =>
        {
            log.Add(deque.TrySteal(), "thief");
            log.Add(deque.TrySteal(), "thief");
        });
        execution.Run();
        // What neither took is still in the deque: the owner drains it now (no thread runs).
        while (deque.TryPop() is { } left)
        {
            log.Add(left, "drain");
        }

        log.AssertEachExactlyOnce();
        AssertEmptyAndUsable(deque);
    }

    /// <summary>
    /// The owner pushes <paramref name="jobs"/> elements into a tiny deque (running an element
    /// itself when the deque is full) and pops after every second push, then pops until empty;
    /// two thieves steal until every element is accounted for. Indices wrap around the
    /// capacity many times.
    /// </summary>
    internal static void WrapAround(Execution execution, IDeque deque, int jobs)
    {
        var log = new TakenLog(jobs);
        execution.Spawn("owner", () =>
        {
            for (int i = 0; i < jobs; i++)
            {
                var job = new TestJob(i);
                if (!deque.TryPush(job))
                {
                    log.Add(job, "owner (deque full)");
                }

                if (i % 2 == 1)
                {
                    log.Add(deque.TryPop(), "owner");
                }
            }

            while (deque.TryPop() is { } job)
            {
                log.Add(job, "owner");
            }
        });
        for (int t = 0; t < 2; t++)
        {
            string name = t == 0 ? "thief A" : "thief B";
            execution.Spawn(name, () =>
            {
                while (log.Total < jobs)
                {
                    if (deque.TrySteal() is { } job)
                    {
                        log.Add(job, name);
                    }
                    else
                    {
                        SchedulePoint.Spin();
                    }
                }
            });
        }

        execution.Run();
        log.AssertEachExactlyOnce();
        AssertEmptyAndUsable(deque);
    }

    /// <summary>After a run: nothing left to take, and a push/pop and a push/steal still work.</summary>
    internal static void AssertEmptyAndUsable(IDeque deque)
    {
        Assert.Null(deque.TryPop());
        Assert.Null(deque.TrySteal());
        var probe = new TestJob(0);
        Assert.True(deque.TryPush(probe));
        Assert.Same(probe, deque.TryPop());
        Assert.True(deque.TryPush(probe));
        Assert.Same(probe, deque.TrySteal());
        Assert.Null(deque.TryPop());
    }
}
