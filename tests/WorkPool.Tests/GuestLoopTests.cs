namespace WorkPool.Tests;

/// <summary>
/// Parallel loops called from outside every pool run as guest calls: the calling thread runs
/// pieces itself (always the first one) with the guest slot's index, workers may take the rest,
/// every index runs exactly once. And <see cref="ForkJoin"/>'s statics inside a guest call act
/// on the guest's pool.
/// </summary>
public class GuestLoopTests
{
    private const int Length = 2_000;

    /// <summary>Per index: how many times it ran, and the participant index and thread it ran on.</summary>
    private sealed class Pieces(int length)
    {
        public readonly int[] Runs = new int[length];
        public readonly int[] Index = new int[length];
        public readonly Thread?[] Threads = new Thread?[length];

        public void Record(long i)
        {
            Interlocked.Increment(ref Runs[i]);
            Index[i] = WorkStealingPool.CurrentWorkerIndex;
            Threads[i] = Thread.CurrentThread;
        }

        /// <summary>Every index ran once; the caller ran some (its pieces with its guest index, the same for all); the rest ran on workers.</summary>
        public void AssertRanOnceWithTheCaller(WorkStealingPool pool)
        {
            Assert.All(Runs, r => Assert.Equal(1, r));
            int callerIndex = -2;
            int onCaller = 0;
            for (int i = 0; i < Runs.Length; i++)
            {
                if (Threads[i] == Thread.CurrentThread)
                {
                    onCaller++;
                    callerIndex = callerIndex == -2 ? Index[i] : callerIndex;
                    Assert.Equal(callerIndex, Index[i]);
                }
                else
                {
                    Assert.InRange(Index[i], 0, pool.ThreadCount - 1);
                }
            }

            Assert.True(onCaller > 0, "the calling thread ran no piece of its own loop");
            Assert.True(Guests.IsGuestIndex(pool, callerIndex), $"the caller's pieces ran with index {callerIndex}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void For_EveryForm_CallerRunsPiecesAsAGuest_EveryIndexOnce(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        var p = new Pieces(Length);
        pool.For(0, Length, i => p.Record(i));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        pool.For(0L, Length, i => p.Record(i));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        pool.For(0, Length, p, static (p, i) => p.Record(i));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        pool.For(0L, Length, p, static (p, i) => p.Record(i));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        var body = new RecordingBody(p);
        pool.For(0, Length, ref body, 7);
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        var range = new RecordingRangeBody(p);
        pool.ForRange(0L, Length, ref range, 16);
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        LoopResult result = pool.For(0, Length, p, static (p, i, _) => p.Record(i));
        Assert.True(result.IsCompleted);
        p.AssertRanOnceWithTheCaller(pool);
    });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ForEach_EveryForm_CallerRunsPiecesAsAGuest_EveryElementOnce(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        int[] source = Enumerable.Range(0, Length).ToArray();
        var p = new Pieces(Length);
        pool.ForEach(source, e => p.Record(e));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        pool.ForEach(source.AsMemory(), p, static (p, e) => p.Record(e));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        var body = new RecordingElementBody(p);
        pool.ForEach((ReadOnlyMemory<int>)source, ref body);
        p.AssertRanOnceWithTheCaller(pool);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reduce_EveryForm_IsExact_CallerTakesPart(bool deterministic) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long expected = (long)Length * (Length - 1) / 2;
        var p = new Pieces(Length);
        Assert.Equal(expected, pool.Reduce<RecordingSum, long>(0L, Length, new RecordingSum(p), deterministic: deterministic));
        p.AssertRanOnceWithTheCaller(pool);

        p = new Pieces(Length);
        Assert.Equal(expected, pool.Reduce(0, Length, p, 0L, static (p, acc, i) =>
        {
            p.Record(i);
            return acc + i;
        }, static (a, b) => a + b, deterministic));
        p.AssertRanOnceWithTheCaller(pool);
    });

    [Fact]
    public void ForkJoinStatics_InsideAGuestCall_ActOnTheGuestsPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(() =>
        {
            int guest = WorkStealingPool.CurrentWorkerIndex;
            Assert.True(Guests.IsGuestIndex(pool, guest), $"index {guest}");
            Assert.Same(pool, ForkJoin.CurrentPool);

            Assert.Equal((pool, guest), ForkJoin.Install(static () => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex)));
            (WorkStealingPool? a, WorkStealingPool? b) = ForkJoin.Join(static () => WorkStealingPool.Current, static () => WorkStealingPool.Current);
            Assert.Same(pool, a);
            Assert.Same(pool, b);
            Assert.Equal(Fib.Sequential(16), Fib.Static(16));

            var seen = new WorkStealingPool?[256];
            ForkJoin.For(0, seen.Length, i => seen[i] = WorkStealingPool.Current);
            Assert.All(seen, s => Assert.Same(pool, s));
            Array.Clear(seen);
            ForkJoin.ForEach(Enumerable.Range(0, seen.Length).ToArray(), i => seen[i] = WorkStealingPool.Current);
            Assert.All(seen, s => Assert.Same(pool, s));
            Assert.Equal(32_640L, ForkJoin.Reduce(0, 256, 0L, static (acc, i) => acc + i, static (x, y) => x + y));

            var spawnedIn = new WorkStealingPool?[64];
            ForkJoin.Scope(scope =>
            {
                Assert.Same(pool, scope.Pool);
                Assert.Equal(guest, WorkStealingPool.CurrentWorkerIndex);
                for (int i = 0; i < spawnedIn.Length; i++)
                {
                    int id = i;
                    scope.Spawn(_ => spawnedIn[id] = WorkStealingPool.Current);
                }
            });
            Assert.All(spawnedIn, s => Assert.Same(pool, s));
            Assert.Equal(guest, WorkStealingPool.CurrentWorkerIndex);
        });
        Assert.Null(WorkStealingPool.Current);
    });

    [Fact]
    public void LoopInsideAGuestCall_AndGuestCallsInsideLoopBodies_AreExact() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        long total = pool.Install(pool, static pool =>
        {
            // Nested: loops inside a guest call, Joins and Installs inside their bodies.
            long sum = 0;
            pool.For(0, 64, i =>
            {
                long inner = pool.Reduce(0, 100, 0L, static (acc, j) => acc + j, static (a, b) => a + b);
                (long x, long y) = pool.Join(() => pool.Install(() => inner), () => (long)i);
                Interlocked.Add(ref sum, x + y);
            });
            return sum;
        });
        Assert.Equal((64 * 4950L) + (64 * 63 / 2), total);
    });

    private readonly struct RecordingBody(Pieces p) : IForBody
    {
        public void Invoke(int index) => p.Record(index);
    }

    private readonly struct RecordingRangeBody(Pieces p) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                p.Record(i);
            }
        }
    }

    private readonly struct RecordingElementBody(Pieces p) : IReadOnlyForEachBody<int>
    {
        public void Invoke(in int element, int index) => p.Record(element);
    }

    private readonly struct RecordingSum(Pieces p) : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                p.Record(i);
                accumulator += i;
            }

            return accumulator;
        }

        public long Combine(long left, long right) => left + right;
    }
}
