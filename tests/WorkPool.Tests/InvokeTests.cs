namespace WorkPool.Tests;

/// <summary>
/// N-way Invoke in every form (params actions, state, struct bodies in a span; on the pool and
/// through ForkJoin): each part exactly once, struct bodies updated in place, exceptions reported
/// as nested Joins report them, null parts rejected before anything runs, from outside and from a
/// worker.
/// </summary>
public class InvokeTests
{
    public static TheoryData<bool, int> Cases()
    {
        var data = new TheoryData<bool, int>();
        foreach (bool fromWorker in new[] { false, true })
        {
            foreach (int count in new[] { 0, 1, 2, 3, 4, 7, 100 })
            {
                data.Add(fromWorker, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryForm_RunsEveryPartOnce(bool fromWorker, int count) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var counts = new int[count];
            Action[] actions = [.. Enumerable.Range(0, count).Select(i => (Action)(() => Interlocked.Increment(ref counts[i])))];
            pool.Invoke(actions);
            AssertAll(counts, 1, "Invoke(params Action[])");

            Action<int[]>[] stateActions = [.. Enumerable.Range(0, count).Select(i => (Action<int[]>)(c => Interlocked.Increment(ref c[i])))];
            pool.Invoke(counts, stateActions);
            AssertAll(counts, 2, "Invoke(state, params Action<TState>[])");

            var works = new SquareWork[count];
            for (int i = 0; i < count; i++)
            {
                works[i] = new SquareWork(i, counts);
            }

            pool.Invoke(works.AsSpan());
            AssertAll(counts, 3, "Invoke(Span<TWork>)");
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i * i), works.Select(w => w.Result));
        });
    });

    [Fact]
    public void ParamsForms_OfAHandful_RunEachOnce() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var counts = new int[4];
        pool.Invoke(() => counts[0]++, () => counts[1]++, () => counts[2]++, () => counts[3]++);
        pool.Invoke(counts, [static c => c[0]++, static c => c[1]++, static c => c[2]++, static c => c[3]++]);
        ForkJoin.Invoke(() => counts[0]++, () => counts[1]++, () => counts[2]++, () => counts[3]++);
        pool.Install(() => ForkJoin.Invoke(counts, [static c => c[0]++, static c => c[1]++, static c => c[2]++, static c => c[3]++]));
        Assert.Equal([4, 4, 4, 4], counts);

        Span<SquareWork> works = [new SquareWork(5, new int[6]), new SquareWork(3, new int[6])];
        ForkJoin.Invoke(works);
        Assert.Equal(25, works[0].Result);
        Assert.Equal(9, works[1].Result);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exceptions_AreReportedAsNestedJoinsReportThem_AfterEveryPartRan(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            var counts = new int[5];
            var one = Assert.Throws<InvalidOperationException>(() => pool.Invoke(counts,
            [
                static c => c[0]++,
                static c => c[1]++,
                static c => { c[2]++; throw new InvalidOperationException("part 2"); },
                static c => c[3]++,
                static c => c[4]++,
            ]));
            Assert.Equal("part 2", one.Message);
            AssertAll(counts, 1, "every part ran beside the one that threw");

            var several = Assert.Throws<AggregateException>(() => pool.Invoke(counts,
            [
                static c => { c[0]++; throw new InvalidOperationException("part 0"); },
                static c => c[1]++,
                static c => { c[2]++; throw new ArgumentException("part 2"); },
                static c => c[3]++,
                static c => { c[4]++; throw new FormatException("part 4"); },
            ]));
            Assert.Equal(["part 0", "part 2", "part 4"], several.InnerExceptions.Select(e => e.Message));
            AssertAll(counts, 2, "every part ran beside the ones that threw");
        });
    });

    [Fact]
    public void NullParts_AreRejected_BeforeAnythingRuns() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        int ran = 0;
        Assert.Throws<ArgumentNullException>(() => pool.Invoke(() => ran++, null!, () => ran++));
        Assert.Throws<ArgumentNullException>(() => pool.Invoke(1, [_ => ran++, null!]));
        Assert.Equal(0, ran);
    });

    [Fact]
    public void DisposedPool_ThrowsForParts_AndNotForNone() => Bounded.Run(() =>
    {
        var pool = Pools.Create(1);
        pool.Dispose();
        pool.Invoke();
        pool.Invoke(1, ReadOnlySpan<Action<int>>.Empty);
        pool.Invoke(Span<SquareWork>.Empty);
        Assert.Throws<ObjectDisposedException>(() => pool.Invoke(static () => { }));
        Assert.Throws<ObjectDisposedException>(() => pool.Invoke(1, [static _ => { }]));
    });

    private static void AssertAll(int[] counts, int expected, string form)
    {
        for (int i = 0; i < counts.Length; i++)
        {
            Assert.True(counts[i] == expected, $"{form}: part {i} counted {counts[i]} times, expected {expected}.");
        }
    }

    private struct SquareWork(int value, int[] counts) : IWork
    {
        public long Result;

        public void Run(ForkContext context)
        {
            Result = (long)value * value;
            Interlocked.Increment(ref counts[value]);
        }
    }
}
