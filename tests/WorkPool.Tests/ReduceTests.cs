namespace WorkPool.Tests;

/// <summary>
/// Reductions: integer results equal the sequential ones exactly for every form, range and side;
/// the deterministic mode combines in index order and gives bitwise identical floating-point
/// sums on every run; exceptions, cancellation and arguments.
/// </summary>
public class ReduceTests
{
    public static TheoryData<bool, bool, long, long> Ranges()
    {
        var data = new TheoryData<bool, bool, long, long>();
        (long From, long To)[] ranges =
        [
            (0, 0), (5, 3), (0, 1), (0, 7), (-50, 51), (0, 100_000),
            (long.MaxValue - 1001, long.MaxValue), (long.MinValue, long.MinValue + 999), (int.MaxValue - 100L, int.MaxValue + 100L),
        ];
        foreach (bool fromWorker in new[] { false, true })
        {
            foreach (bool deterministic in new[] { false, true })
            {
                foreach ((long from, long to) in ranges)
                {
                    data.Add(fromWorker, deterministic, from, to);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void IntegerReductions_EqualTheSequentialResult(bool fromWorker, bool deterministic, long from, long to) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            long expected = 0;
            long count = 0;
            for (long i = from; i < to; i++)
            {
                expected = unchecked(expected + Mix(i));
                count++;
            }

            Assert.Equal(expected, pool.Reduce<MixSum, long>(from, to, default, deterministic: deterministic));
            Assert.Equal(count, pool.Reduce<CountReducer, long>(from, to, default, minChunkLength: 3, deterministic: deterministic));
            Assert.Equal(expected, ForkJoin.Reduce<MixSum, long>(from, to, default, deterministic: deterministic));

            // The long-range delegate forms (the state, 1, multiplies every term: without it the sum would be 0).
            Assert.Equal(expected, pool.Reduce(from, to, 0L, static (acc, i) => unchecked(acc + Mix(i)), static (a, b) => unchecked(a + b), deterministic));
            Assert.Equal(expected, pool.Reduce(from, to, 1L, 0L, static (one, acc, i) => unchecked(acc + (Mix(i) * one)), static (a, b) => unchecked(a + b), deterministic));
            Assert.Equal(expected, ForkJoin.Reduce(from, to, 0L, static (acc, i) => unchecked(acc + Mix(i)), static (a, b) => unchecked(a + b), deterministic));
            Assert.Equal(expected, ForkJoin.Reduce(from, to, 1L, 0L, static (one, acc, i) => unchecked(acc + (Mix(i) * one)), static (a, b) => unchecked(a + b), deterministic));

            if (from >= int.MinValue && to <= int.MaxValue)
            {
                int f = (int)from;
                int t = (int)to;
                Assert.Equal(expected, pool.Reduce<MixSum, long>(f, t, default, deterministic: deterministic));
                Assert.Equal(expected, pool.Reduce(f, t, 0L, static (acc, i) => unchecked(acc + Mix(i)), static (a, b) => unchecked(a + b), deterministic));
                Assert.Equal(expected, pool.Reduce(f, t, 7L, 0L, static (seven, acc, i) => unchecked(acc + (Mix(i) * seven)), static (a, b) => unchecked(a + b), deterministic) / 7);
            }
        });
    });

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 1000)]
    [InlineData(true, 37)]
    public void Deterministic_CombinesAdjacentPiecesInIndexOrder(bool fromWorker, long minChunk) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            foreach ((long from, long to) in new[] { (0L, 1L), (0L, 100_001L), (long.MinValue, long.MinValue + 70_000), (long.MaxValue - 5000, long.MaxValue) })
            {
                Interval result = pool.Reduce<IntervalReducer, Interval>(from, to, default, minChunk, deterministic: true);
                Assert.True(result.Ordered, $"[{from}, {to}): pieces were combined out of order");
                Assert.Equal((from, to), (result.From, result.To));
            }
        });
    });

    [Fact]
    public void DeterministicDoubleSum_IsBitwiseIdenticalAcross20Runs() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var random = new Random(12345);
        // Magnitudes from 1e-8 to 1e8: a different order of additions changes the last bits.
        double[] data = Enumerable.Range(0, 200_003).Select(_ => (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-8, 9))).ToArray();
        var reducer = new DoubleSum(data);

        long expected = BitConverter.DoubleToInt64Bits(pool.Reduce<DoubleSum, double>(0, data.Length, reducer, deterministic: true));
        for (int run = 0; run < 20; run++)
        {
            Assert.Equal(expected, BitConverter.DoubleToInt64Bits(pool.Reduce<DoubleSum, double>(0, data.Length, reducer, deterministic: true)));
            // The same tree when called from a worker: the same bits.
            double onWorker = 0;
            Sides.OnWorker(pool, () => onWorker = pool.Reduce<DoubleSum, double>(0, reducer.Length, reducer, deterministic: true));
            Assert.Equal(expected, BitConverter.DoubleToInt64Bits(onWorker));
        }

        // And it is the sum (to rounding): compare with a sequential sum in decimal-free terms.
        double sequential = data.Sum();
        Assert.True(Math.Abs(BitConverter.Int64BitsToDouble(expected) - sequential) <= 1e-6 * data.Select(Math.Abs).Sum());
    });

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ExceptionsAndCancellation_StopTheReduction_AndThePoolKeepsWorking(bool fromWorker, bool deterministic) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.Reduce(0, 100_000, 0L, static (acc, i) => i == 54_321 ? throw new InvalidOperationException("54321") : acc + i, static (a, b) => a + b, deterministic));
            Assert.Equal("54321", error.Message);

            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.Throws<OperationCanceledException>(() => pool.Reduce<MixSum, long>(0L, 1000L, default, deterministic: deterministic, cancellationToken: cancelled.Token));

            using var midway = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => pool.Reduce(0, 1_000_000, midway, 0L, static (source, acc, i) =>
            {
                if (i == 500)
                {
                    source.Cancel();
                }

                return acc + 1;
            }, static (a, b) => a + b, deterministic, midway.Token));

            Assert.Equal(Sum(1000), pool.Reduce(0, 1000, 0L, static (acc, i) => acc + i, static (a, b) => a + b, deterministic));
        });
    });

    [Fact]
    public void Arguments_AreChecked() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0, 10, 0, null!, static (a, b) => a + b));
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0, 10, 0, static (a, i) => a + i, null!));
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0, 10, 1, 0, null!, static (a, b) => a + b));
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0L, 10L, 0L, (Func<long, long, long>)null!, static (a, b) => a + b));
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0L, 10L, 0L, static (a, i) => a + i, null!));
        Assert.Throws<ArgumentNullException>(() => pool.Reduce(0L, 10L, 1, 0L, (Func<int, long, long, long>)null!, static (a, b) => a + b));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Reduce<MixSum, long>(0, 10, default, minChunkLength: 0));
        Assert.Equal(42L, pool.Reduce(5, 5, 42L, static (a, i) => a + i, static (a, b) => a + b));
    });

    private static long Sum(int n) => (long)n * (n - 1) / 2;

    private static long Mix(long i) => unchecked((i * (long)0x9E3779B97F4A7C15UL) ^ (i >> 7));

    private readonly struct MixSum : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator = unchecked(accumulator + Mix(i));
            }

            return accumulator;
        }

        public long Combine(long left, long right) => unchecked(left + right);
    }

    private readonly struct CountReducer : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive) => accumulator + (toExclusive - fromInclusive);

        public long Combine(long left, long right) => left + right;
    }

    private readonly struct DoubleSum(double[] data) : IRangeReducer<double>
    {
        public int Length => data.Length;

        public double Identity() => 0.0;

        public double Accumulate(double accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator += data[i];
            }

            return accumulator;
        }

        public double Combine(double left, double right) => left + right;
    }

    /// <summary>The range a partial result covers, and whether it was built from adjacent pieces, left to right.</summary>
    private readonly record struct Interval(long From, long To, bool Empty, bool Ordered);

    private readonly struct IntervalReducer : IRangeReducer<Interval>
    {
        public Interval Identity() => new(0, 0, Empty: true, Ordered: true);

        public Interval Accumulate(Interval accumulator, long fromInclusive, long toExclusive) =>
            Combine(accumulator, new Interval(fromInclusive, toExclusive, Empty: false, Ordered: true));

        public Interval Combine(Interval left, Interval right) =>
            left.Empty ? right
            : right.Empty ? left
            : new Interval(left.From, right.To, Empty: false, left.Ordered && right.Ordered && left.To == right.From);
    }
}
