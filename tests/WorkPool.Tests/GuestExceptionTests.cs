namespace WorkPool.Tests;

/// <summary>
/// Exceptions from guest calls: the original exception object with its original stack reaches
/// the caller, the pool keeps working, and the guest slot is freed: with a single guest slot, a
/// later call from the same thread or from another one again runs as a guest (a leaked slot
/// would send it to a worker). The fallback path (no guest slots) rethrows the same way.
/// </summary>
public class GuestExceptionTests
{
    private static void AssertOriginal(Exception expected, Exception actual, string method)
    {
        Assert.Same(expected, actual);
        Assert.NotNull(actual.StackTrace);
        Assert.Contains(method, actual.StackTrace, StringComparison.Ordinal);
    }

    /// <summary>The only guest slot is free: a call from this thread and one from another thread each run as a guest.</summary>
    private static void AssertSlotFree(WorkStealingPool pool)
    {
        Assert.Equal(pool.ThreadCount + 1, pool.ParticipantCount);
        (int index, Thread thread) = pool.Install(static () => (WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread));
        Assert.Equal(pool.ThreadCount, index);
        Assert.Same(Thread.CurrentThread, thread);
        int otherIndex = -2;
        Bounded.Threads(1, _ => otherIndex = pool.Install(static () => WorkStealingPool.CurrentWorkerIndex));
        Assert.Equal(pool.ThreadCount, otherIndex);
        Assert.Equal(Fib.Sequential(15), Fib.State(pool, 15));
    }

    [Fact]
    public void Install_EveryForm_OriginalExceptionAndStack_SlotFreed() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        var e1 = new TestFailureException("action");
        AssertOriginal(e1, Assert.Throws<TestFailureException>(() => pool.Install(() => Throw.ThrowingHalfA(e1))), nameof(Throw.ThrowingHalfA));
        AssertSlotFree(pool);

        var e2 = new TestFailureException("func");
        AssertOriginal(e2, Assert.Throws<TestFailureException>(() => pool.Install(() => Throw.ThrowingFunction<int>(e2))), nameof(Throw.ThrowingFunction));
        AssertSlotFree(pool);

        var e3 = new TestFailureException("state action");
        AssertOriginal(e3, Assert.Throws<TestFailureException>(() => pool.Install(e3, static e => Throw.ThrowingHalfB(e))), nameof(Throw.ThrowingHalfB));

        var e4 = new TestFailureException("state func");
        AssertOriginal(e4, Assert.Throws<TestFailureException>(() => pool.Install(e4, static e => Throw.ThrowingFunction<string>(e))), nameof(Throw.ThrowingFunction));

        var e5 = new TestFailureException("ref struct");
        var work = new RecordThenThrowWork(e5);
        AssertOriginal(e5, Assert.Throws<TestFailureException>(() => pool.Install(ref work)), nameof(Throw.ThrowingHalfB));
        Assert.Equal(1, work.Runs);

        var e6 = new TestFailureException("result struct");
        AssertOriginal(e6, Assert.Throws<TestFailureException>(() => pool.Install<ThrowingResultWork, int>(new ThrowingResultWork(e6))), nameof(Throw.ThrowingFunction));

        var e7 = new OperationCanceledException("oce");
        Assert.Same(e7, Assert.Throws<OperationCanceledException>(() => pool.Install(e7, static e => throw e)));
        AssertSlotFree(pool);
    });

    [Fact]
    public void Join_OneOrBothHalvesThrow_ExceptionsAsOnAWorker_SlotFreed() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        for (int i = 0; i < 50; i++)
        {
            var errorA = new TestFailureException("A");
            var errorB = new TestFailureException("B");
            int bRuns = 0;
            AssertOriginal(errorA, Assert.Throws<TestFailureException>(() => pool.Join(
                () => Throw.ThrowingHalfA(errorA),
                () => Interlocked.Increment(ref bRuns))), nameof(Throw.ThrowingHalfA));
            Assert.Equal(1, bRuns);

            int aRuns = 0;
            AssertOriginal(errorB, Assert.Throws<TestFailureException>(() => pool.Join(
                () => Interlocked.Increment(ref aRuns),
                () => Throw.ThrowingHalfB(errorB))), nameof(Throw.ThrowingHalfB));
            Assert.Equal(1, aRuns);

            AggregateException both = Assert.Throws<AggregateException>(() => pool.Join(
                (errorA, errorB),
                static s => Throw.ThrowingFunction<int>(s.errorA),
                static s => Throw.ThrowingFunction<long>(s.errorB)));
            Assert.Equal([errorA, errorB], both.InnerExceptions);

            var a = new AddWork(1, 2);
            var b = new RecordThenThrowWork(errorB);
            Assert.Same(errorB, Assert.Throws<TestFailureException>(() => pool.Join(ref a, ref b)));
            Assert.Equal((3, 1, 1), (a.Sum, a.Runs, b.Runs));
        }

        AssertSlotFree(pool);
    });

    [Fact]
    public void Scope_BodyOrSpawnThrows_OriginalException_EverySpawnAccountedFor_SlotFreed() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        var error = new TestFailureException("body");
        var runs = new int[32];
        TestFailureException caught = Assert.Throws<TestFailureException>(() => pool.Scope(scope =>
        {
            for (int i = 0; i < runs.Length; i++)
            {
                int id = i;
                scope.Spawn(_ => Interlocked.Increment(ref runs[id]));
            }

            Throw.ThrowingHalfA(error);
        }));
        AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));
        // The scope waited for the spawns it had started before the body threw.
        Assert.All(runs, r => Assert.Equal(1, r));
        AssertSlotFree(pool);

        var spawnError = new TestFailureException("spawn");
        caught = Assert.Throws<TestFailureException>(() => pool.Scope(spawnError, static (e, scope) => scope.Spawn(e, static (e, _) => Throw.ThrowingHalfB(e))));
        AssertOriginal(spawnError, caught, nameof(Throw.ThrowingHalfB));
        AssertSlotFree(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loop_ThrowingIteration_OriginalException_SlotFreed(bool deterministic) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        for (int at = 0; at < 1_000; at += 97)
        {
            var error = new TestFailureException("iteration " + at);
            Exception caught = Assert.ThrowsAny<Exception>(() => pool.Reduce(0, 1_000, (error, at), 0L, static (s, acc, i) =>
            {
                if (i == s.at)
                {
                    Throw.ThrowingHalfA(s.error);
                }

                return acc + i;
            }, static (a, b) => a + b, deterministic));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfA));

            caught = Assert.ThrowsAny<Exception>(() => pool.For(0, 1_000, i =>
            {
                if (i == at)
                {
                    Throw.ThrowingHalfB(error);
                }
            }));
            AssertOriginal(error, caught, nameof(Throw.ThrowingHalfB));
        }

        AssertSlotFree(pool);
    });

    [Fact]
    public void Fallback_NoGuestSlots_EveryKindRethrowsTheOriginal() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2);
        var error = new TestFailureException("fallback");
        AssertOriginal(error, Assert.Throws<TestFailureException>(() => pool.Install(error, static e => Throw.ThrowingHalfA(e))), nameof(Throw.ThrowingHalfA));
        AssertOriginal(error, Assert.Throws<TestFailureException>(() => pool.Join(() => { }, () => Throw.ThrowingHalfB(error))), nameof(Throw.ThrowingHalfB));
        AssertOriginal(error, Assert.Throws<TestFailureException>(() => pool.Scope(scope => Throw.ThrowingHalfA(error))), nameof(Throw.ThrowingHalfA));
        AssertOriginal(error, Assert.Throws<TestFailureException>(() => pool.For(0, 100, i =>
        {
            if (i == 50)
            {
                Throw.ThrowingHalfB(error);
            }
        })), nameof(Throw.ThrowingHalfB));
        Assert.Equal(Fib.Sequential(15), Fib.State(pool, 15));
    });
}
