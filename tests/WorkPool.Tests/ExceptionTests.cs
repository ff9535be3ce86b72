using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>An exception type only these tests throw, so that "the original type" cannot be confused with an engine exception.</summary>
public sealed class TestFailureException : Exception
{
    public TestFailureException()
    {
    }

    public TestFailureException(string message)
        : base(message)
    {
    }

    public TestFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Throwing methods with recognizable names for stack-trace assertions.</summary>
internal static class Throw
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowingHalfA(Exception e) => throw e;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowingHalfB(Exception e) => throw e;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T ThrowingFunction<T>(Exception e) => throw e;
}

/// <summary>A struct body that throws (the IWork forms).</summary>
internal readonly struct ThrowingWork(Exception error) : IWork
{
    public void Run(ForkContext context) => Throw.ThrowingHalfA(error);
}

/// <summary>A struct body that counts its runs in a shared cell (a witness that does not depend on fields being copied back).</summary>
internal readonly struct CountingWork(int[] count) : IWork
{
    public void Run(ForkContext context) => Interlocked.Increment(ref count[0]);
}

/// <summary>A struct body that records that it ran in its own field, then throws.</summary>
internal struct RecordThenThrowWork(Exception error) : IWork
{
    public int Runs;

    public void Run(ForkContext context)
    {
        Runs++;
        Throw.ThrowingHalfB(error);
    }
}

/// <summary>A result-returning struct body that throws.</summary>
internal readonly struct ThrowingResultWork(Exception error) : IWork<int>
{
    public int Run(ForkContext context) => Throw.ThrowingFunction<int>(error);
}

/// <summary>
/// User exceptions reach the waiting thread as the original exception object with its original
/// stack; a Join awaits its other half first; two failures become one AggregateException [A, B];
/// the pool keeps working afterwards.
/// </summary>
public class ExceptionTests
{
    public enum Caller
    {
        Outside,
        SamePoolWorker,
        OtherPoolWorker,
    }

    private static void From(Caller caller, WorkStealingPool pool, WorkStealingPool other, Action body)
    {
        switch (caller)
        {
            case Caller.Outside:
                body();
                break;
            case Caller.SamePoolWorker:
                Sides.OnWorker(pool, body);
                break;
            default:
                Sides.OnWorker(other, body);
                break;
        }
    }

    private static void AssertOriginal(Exception expected, Exception actual, string method)
    {
        Assert.Same(expected, actual);
        Assert.IsType<TestFailureException>(actual);
        Assert.NotNull(actual.StackTrace);
        Assert.Contains(method, actual.StackTrace, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Caller.Outside)]
    [InlineData(Caller.SamePoolWorker)]
    [InlineData(Caller.OtherPoolWorker)]
    public void Install_EveryForm_RethrowsTheOriginalExceptionWithItsStack(Caller caller) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using WorkStealingPool other = Pools.Create(1);
        From(caller, pool, other, () =>
        {
            var e1 = new TestFailureException("action");
            AssertOriginal(e1, Assert.Throws<TestFailureException>(() => pool.Install(() => Throw.ThrowingHalfA(e1))), nameof(Throw.ThrowingHalfA));

            var e2 = new TestFailureException("func");
            AssertOriginal(e2, Assert.Throws<TestFailureException>(() => pool.Install(() => Throw.ThrowingFunction<int>(e2))), nameof(Throw.ThrowingFunction));

            var e3 = new TestFailureException("state action");
            AssertOriginal(e3, Assert.Throws<TestFailureException>(() => pool.Install(e3, static e => Throw.ThrowingHalfB(e))), nameof(Throw.ThrowingHalfB));

            var e4 = new TestFailureException("state func");
            AssertOriginal(e4, Assert.Throws<TestFailureException>(() => pool.Install(e4, static e => Throw.ThrowingFunction<string>(e))), nameof(Throw.ThrowingFunction));

            var e5 = new TestFailureException("ref struct");
            var work = new ThrowingWork(e5);
            AssertOriginal(e5, Assert.Throws<TestFailureException>(() => pool.Install(ref work)), nameof(Throw.ThrowingHalfA));

            var e6 = new TestFailureException("result struct");
            AssertOriginal(e6, Assert.Throws<TestFailureException>(() => pool.Install<ThrowingResultWork, int>(new ThrowingResultWork(e6))), nameof(Throw.ThrowingFunction));

            // Non-test exception types come through unchanged too.
            var e7 = new OperationCanceledException("oce");
            Assert.Same(e7, Assert.Throws<OperationCanceledException>(() => pool.Install(e7, static e => throw e)));
        });

        AssertPoolStillWorks(pool);
        AssertPoolStillWorks(other);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_OnlyAThrows_BStillRanToCompletion(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var error = new TestFailureException("A");
            int bRuns = 0;
            TestFailureException caught = Assert.Throws<TestFailureException>(() => pool.Join(
                () => Throw.ThrowingHalfA(error),
                () => Interlocked.Increment(ref bRuns)));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));
            Assert.Equal(1, Volatile.Read(ref bRuns));

            // Result forms: the exception wins, B still ran.
            int bRuns2 = 0;
            caught = Assert.Throws<TestFailureException>(() => pool.Join(
                () => Throw.ThrowingFunction<int>(error),
                () => Interlocked.Increment(ref bRuns2)));
            Assert.Same(error, caught);
            Assert.Equal(1, Volatile.Read(ref bRuns2));

            var bCount = new int[1];
            var a = new ThrowingWork(error);
            var b = new CountingWork(bCount);
            caught = Assert.Throws<TestFailureException>(() => pool.Join(ref a, ref b));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));
            Assert.Equal(1, Volatile.Read(ref bCount[0]));
        });
        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_OnlyBThrows_Inline_ARanToCompletion(bool fromWorker) => Bounded.Run(() =>
    {
        // One worker and no guest slots: nobody can steal B, so it runs inline after A (from
        // outside, the worker runs the whole Join; a guest's B may be claimed by the worker, see
        // GuestExceptionTests).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1);
        Sides.On(pool, fromWorker, () =>
        {
            var error = new TestFailureException("B");
            int aRuns = 0;
            int aIndex = -2, bIndex = -2;
            TestFailureException caught = Assert.Throws<TestFailureException>(() => pool.Join(
                () =>
                {
                    aIndex = WorkStealingPool.CurrentWorkerIndex;
                    Interlocked.Increment(ref aRuns);
                },
                () =>
                {
                    bIndex = WorkStealingPool.CurrentWorkerIndex;
                    Throw.ThrowingHalfB(error);
                }));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfB));
            Assert.Equal(1, aRuns);
            Assert.Equal(0, aIndex);
            Assert.Equal(0, bIndex);

            var aCount = new int[1];
            var a = new CountingWork(aCount);
            var b = new ThrowingWork(error);
            caught = Assert.Throws<TestFailureException>(() => pool.Join(ref a, ref b));
            Assert.Same(error, caught);
            Assert.Equal(1, Volatile.Read(ref aCount[0]));

            caught = Assert.Throws<TestFailureException>(() => pool.Join<TripleWork, ThrowingResultWork, long, int>(new TripleWork(1), new ThrowingResultWork(error)));
            AssertOriginal(error, caught, nameof(Throw.ThrowingFunction));
        });
        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_OnlyBThrows_Stolen_ARanToCompletion(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        for (int round = 0; round < 20; round++)
        {
            var error = new TestFailureException("B stolen");
            var stolen = new StolenJoin();
            var bThrew = new Gate("B to throw");
            bool aDone = false;
            stolen.Run(pool, fromWorker, () =>
            {
                TestFailureException caught = Assert.Throws<TestFailureException>(() => pool.Join(
                    () =>
                    {
                        stolen.AWaitsForB();
                        bThrew.Wait();
                        Volatile.Write(ref aDone, true);
                    },
                    () =>
                    {
                        stolen.BStarts();
                        try
                        {
                            Throw.ThrowingHalfB(error);
                        }
                        finally
                        {
                            bThrew.Signal();
                        }
                    }));
                AssertOriginal(error, caught, nameof(Throw.ThrowingHalfB));
                Assert.True(Volatile.Read(ref aDone), "A finished before B's exception reached the caller");
            });
        }

        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_OnlyAThrows_BStolen_BRanToCompletionFirst(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        for (int round = 0; round < 20; round++)
        {
            var error = new TestFailureException("A, B stolen");
            var stolen = new StolenJoin();
            var aThrew = new Gate("A to throw");
            bool bDone = false;
            stolen.Run(pool, fromWorker, () =>
            {
                TestFailureException caught = Assert.Throws<TestFailureException>(() => pool.Join(
                    () =>
                    {
                        stolen.AWaitsForB();
                        try
                        {
                            Throw.ThrowingHalfA(error);
                        }
                        finally
                        {
                            aThrew.Signal();
                        }
                    },
                    () =>
                    {
                        stolen.BStarts();
                        // B is still running after A threw: the Join must wait for it.
                        aThrew.Wait();
                        Volatile.Write(ref bDone, true);
                    }));
                AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));
                Assert.True(Volatile.Read(ref bDone), "B finished before A's exception reached the caller");
            });
        }

        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    public void Join_BothThrow_AggregateExceptionWithAThenB(bool fromWorker, int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        Sides.On(pool, fromWorker, () =>
        {
            for (int i = 0; i < 50; i++)
            {
                var errorA = new TestFailureException("A");
                var errorB = new TestFailureException("B");
                AggregateException aggregate = Assert.Throws<AggregateException>(() => pool.Join(
                    () => Throw.ThrowingHalfA(errorA),
                    () => Throw.ThrowingHalfB(errorB)));
                Assert.Equal(2, aggregate.InnerExceptions.Count);
                AssertOriginal(errorA, aggregate.InnerExceptions[0], nameof(Throw.ThrowingHalfA));
                AssertOriginal(errorB, aggregate.InnerExceptions[1], nameof(Throw.ThrowingHalfB));

                var a = new ThrowingWork(errorA);
                var b = new ThrowingWork(errorB);
                aggregate = Assert.Throws<AggregateException>(() => pool.Join(ref a, ref b));
                Assert.Equal([errorA, errorB], aggregate.InnerExceptions);

                aggregate = Assert.Throws<AggregateException>(() => pool.Join(
                    (errorA, errorB),
                    static s => Throw.ThrowingFunction<int>(s.errorA),
                    static s => Throw.ThrowingFunction<string>(s.errorB)));
                Assert.Equal([errorA, errorB], aggregate.InnerExceptions);
            }
        });
        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_BothThrow_BStolen_AggregateExceptionWithAThenB(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        for (int round = 0; round < 20; round++)
        {
            var errorA = new TestFailureException("A");
            var errorB = new TestFailureException("B");
            var stolen = new StolenJoin();
            var bThrew = new Gate("B to throw on the other worker");
            stolen.Run(pool, fromWorker, () =>
            {
                // B throws first (on the thief), A later: the order is still [A, B].
                AggregateException aggregate = Assert.Throws<AggregateException>(() => pool.Join(
                    () =>
                    {
                        stolen.AWaitsForB();
                        bThrew.Wait();
                        Throw.ThrowingHalfA(errorA);
                    },
                    () =>
                    {
                        stolen.BStarts();
                        try
                        {
                            Throw.ThrowingHalfB(errorB);
                        }
                        finally
                        {
                            bThrew.Signal();
                        }
                    }));
                Assert.Equal(2, aggregate.InnerExceptions.Count);
                AssertOriginal(errorA, aggregate.InnerExceptions[0], nameof(Throw.ThrowingHalfA));
                AssertOriginal(errorB, aggregate.InnerExceptions[1], nameof(Throw.ThrowingHalfB));
            });
        }

        AssertPoolStillWorks(pool);
    });

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    public void FieldsCarriedBack_EvenWhenAHalfThrows(bool fromWorker, int threads) => Bounded.Run(() =>
    {
        // The struct forms promise that the fields a body assigned are visible to the caller
        // afterwards. When a body throws, the caller must see the same final state whether it
        // called from a worker (bodies run in place) or from outside (bodies run on copies).
        using WorkStealingPool pool = Pools.Create(threads);
        Sides.On(pool, fromWorker, () =>
        {
            var error = new TestFailureException("after assigning fields");

            var single = new RecordThenThrowWork(error);
            Assert.Same(error, Assert.Throws<TestFailureException>(() => pool.Install(ref single)));
            Assert.Equal(1, single.Runs);

            var a = new AddWork(20, 22);
            var b = new RecordThenThrowWork(error);
            Assert.Same(error, Assert.Throws<TestFailureException>(() => pool.Join(ref a, ref b)));
            Assert.Equal(1, b.Runs);
            Assert.Equal(1, a.Runs);
            Assert.Equal(42, a.Sum);

            var c = new RecordThenThrowWork(error);
            var d = new AddWork(1, 2);
            Assert.Same(error, Assert.Throws<TestFailureException>(() => pool.Join(ref c, ref d)));
            Assert.Equal(1, c.Runs);
            Assert.Equal(1, d.Runs);
            Assert.Equal(3, d.Sum);
        });
        AssertPoolStillWorks(pool);
    });

    [Fact]
    public void RecursiveJoin_LeafThrowsAtEveryDepth_PoolKeepsWorking() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.SpinCount = 16);
        long expected = Fib.Sequential(14);
        for (int failAt = 0; failAt <= 12; failAt++)
        {
            var error = new TestFailureException("leaf " + failAt);
            Exception caught = Assert.ThrowsAny<Exception>(() => FailingFib(pool, 14, failAt, error));
            // Depending on which halves fail, the error arrives alone or inside (nested) AggregateExceptions.
            Assert.All(Flatten(caught), e => Assert.Same(error, e));

            Assert.Equal(expected, Fib.State(pool, 14));
            Assert.Equal(expected, pool.Install(() => Fib.State(pool, 14)));
        }

        AssertPoolStillWorks(pool);

        static long FailingFib(WorkStealingPool pool, int n, int failAt, Exception error)
        {
            if (n == failAt)
            {
                return Throw.ThrowingFunction<long>(error);
            }

            if (n < 2)
            {
                return n;
            }

            (long a, long b) = pool.Join(() => FailingFib(pool, n - 1, failAt, error), () => FailingFib(pool, n - 2, failAt, error));
            return a + b;
        }

        static IEnumerable<Exception> Flatten(Exception e) =>
            e is AggregateException aggregate ? aggregate.InnerExceptions.SelectMany(Flatten) : [e];
    });

    [Fact]
    public void CrossPool_ExceptionTravelsBackThroughEveryHop() => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(1);
        using WorkStealingPool b = Pools.Create(1);
        for (int i = 0; i < 50; i++)
        {
            var error = new TestFailureException("innermost");
            TestFailureException caught = Assert.Throws<TestFailureException>(() =>
                a.Install(() => b.Install(() => a.Install(() => Throw.ThrowingHalfA(error)))));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));
        }

        AssertPoolStillWorks(a);
        AssertPoolStillWorks(b);
        Assert.Equal(5, a.Install(() => b.Install(() => a.Install(static () => 5))));
    });

    [Fact]
    public void ManyExternalThreads_MixedFailures_NoExceptionLostOrMisrouted() => Bounded.Run(() =>
    {
        const int Threads = 8;
        const int Iterations = 300;
        using WorkStealingPool pool = Pools.Create(2, o => o.SpinCount = 4);
        var thrown = new int[Threads];
        var caught = new int[Threads];
        Bounded.Threads(Threads, t =>
        {
            for (int i = 0; i < Iterations; i++)
            {
                bool fail = (i % 3) == t % 3;
                if (fail)
                {
                    var error = new TestFailureException($"{t}/{i}");
                    thrown[t]++;
                    Exception e = Assert.Throws<TestFailureException>(() => pool.Install((error, t), static s =>
                    {
                        Throw.ThrowingHalfA(s.error);
                    }));
                    Assert.Same(error, e);
                    caught[t]++;
                }
                else
                {
                    Assert.Equal((t * 1000) + i, pool.Install((t, i), static s => (s.t * 1000) + s.i));
                }
            }
        });
        Assert.Equal(thrown, caught);
        Assert.All(thrown, n => Assert.Equal(Iterations / 3, n));
        AssertPoolStillWorks(pool);
    });

    private static void AssertPoolStillWorks(WorkStealingPool pool)
    {
        Assert.Equal(Fib.Sequential(16), Fib.State(pool, 16));
        Assert.Equal(7, pool.Install(static () => 7));
        Assert.Equal((1, 2), pool.Join(static () => 1, static () => 2));
        var counts = new int[64];
        Bounded.Threads(4, t =>
        {
            for (int i = t; i < counts.Length; i += 4)
            {
                pool.Install((counts, i), static s => Interlocked.Increment(ref s.counts[s.i]));
            }
        });
        Assert.All(counts, c => Assert.Equal(1, c));
    }
}
