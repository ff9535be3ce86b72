using System.Collections.Concurrent;
using static WorkPool.Tests.ForEachProbes;

namespace WorkPool.Tests;

/// <summary>
/// ForEach over arrays, segments, Memory and ReadOnlyMemory in every form: each element exactly
/// once (by value, by reference with its index), in-place updates, empty and 1-element sources,
/// exceptions, cancellation and argument checks, from outside and from inside a worker.
/// </summary>
public class ForEachTests
{
    [Theory]
    [MemberData(nameof(ForEachCases.SidesAndLengths), MemberType = typeof(ForEachCases))]
    public void EveryForm_VisitsEveryElementOnce(bool fromWorker, int length) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            // Elements are their own positions in a backing array with 3 elements of padding
            // on each side, so the segment and memory forms can be checked against offsets.
            int[] backing = Enumerable.Range(-3, length + 6).ToArray();
            int[] array = Enumerable.Range(0, length).ToArray();
            var segment = new ArraySegment<int>(backing, 3, length);
            Memory<int> memory = backing.AsMemory(3, length);
            ReadOnlyMemory<int> readOnly = memory;

            var counts = new int[length];
            pool.ForEach(array, e => Interlocked.Increment(ref counts[e]));
            AssertAllOnce(counts, "ForEach(T[], Action<T>)");
            pool.ForEach(segment, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 2, "ForEach(ArraySegment<T>, Action<T>)");
            pool.ForEach(memory, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 3, "ForEach(Memory<T>, Action<T>)");
            pool.ForEach(readOnly, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 4, "ForEach(ReadOnlyMemory<T>, Action<T>)");

            counts = new int[length];
            pool.ForEach(array, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAllOnce(counts, "ForEach(T[], state, Action<TState, T>)");
            pool.ForEach(segment, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 2, "ForEach(ArraySegment<T>, state)");
            pool.ForEach(memory, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 3, "ForEach(Memory<T>, state)");
            pool.ForEach(readOnly, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 4, "ForEach(ReadOnlyMemory<T>, state)");

            // By reference: each element becomes 10 × its index + 1; the index matches the value.
            var square = new TimesTenBody(new int[length]);
            pool.ForEach(array, ref square);
            Assert.Equal(length, square.Hits);
            Assert.Equal(Enumerable.Range(0, length).Select(i => (10 * i) + 1), array);

            var viaSegment = new TimesTenBody(new int[length]);
            pool.ForEach(segment, ref viaSegment, minChunkLength: 3);
            Assert.Equal(length, viaSegment.Hits);
            Assert.Equal(Enumerable.Range(0, length).Select(i => (10 * i) + 1), segment);
            Assert.Equal(new[] { -3, -2, -1 }, backing.Take(3));
            Assert.Equal(new[] { length, length + 1, length + 2 }, backing.Skip(3 + length));

            var viaMemory = new TimesTenBody(new int[length]);
            pool.ForEach(memory, ref viaMemory);
            Assert.Equal(Enumerable.Range(0, length).Select(i => (100 * i) + 11), memory.ToArray());

            var read = new ReadBody(new int[length]);
            pool.ForEach(readOnly, ref read, minChunkLength: 2);
            Assert.Equal(length, read.Hits);
            Assert.Equal(Enumerable.Range(0, length).Select(i => (100 * i) + 11), read.Seen);
        });
    });

    [Fact]
    public void DefaultSegment_IsEmpty() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        int runs = 0;
        pool.ForEach(default(ArraySegment<int>), _ => Interlocked.Increment(ref runs));
        pool.ForEach(Memory<int>.Empty, _ => Interlocked.Increment(ref runs));
        Assert.Equal(0, runs);
    });

    [Fact]
    public void ForkJoinForEach_InsideAWorker_UsesThatPool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var pools = new ConcurrentBag<WorkStealingPool?>();
        int[] source = new int[100];
        pool.Install(() =>
        {
            ForkJoin.ForEach(source, _ => pools.Add(WorkStealingPool.Current));
            ForkJoin.ForEach(source.AsMemory(), pools, static (p, _) => p.Add(WorkStealingPool.Current));
            var body = new TimesTenBody(new int[100]);
            ForkJoin.ForEach(new ArraySegment<int>(source), ref body);
            var read = new ReadBody(new int[100]);
            ForkJoin.ForEach((ReadOnlyMemory<int>)source, ref read);
            Assert.Equal(100, read.Hits);
        });
        Assert.Equal(200, pools.Count);
        Assert.All(pools, p => Assert.Same(pool, p));
        Assert.All(source, e => Assert.Equal(1, e));
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExceptionAndCancellation_StopTheLoop_AndThePoolKeepsWorking(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            int[] source = Enumerable.Range(0, 1000).ToArray();
            var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.ForEach(source, static e =>
            {
                if (e == 321)
                {
                    throw new InvalidOperationException("321");
                }
            }));
            Assert.Equal("321", error.Message);

            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            int runs = 0;
            Assert.Throws<OperationCanceledException>(() => pool.ForEach(source, _ => Interlocked.Increment(ref runs), cancelled.Token));
            var body = new TimesTenBody(new int[1000]);
            Assert.Throws<OperationCanceledException>(() => pool.ForEach(source, ref body, cancellationToken: cancelled.Token));
            Assert.Equal(0, runs + body.Hits);

            var counts = new int[1000];
            pool.ForEach(source, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAllOnce(counts, "loop after a failed loop");
        });
    });

    [Fact]
    public void Arguments_AreChecked() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((int[])null!, static _ => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach(new int[1], (Action<int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach(Memory<int>.Empty, (Action<int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((int[])null!, 1, static (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach(new int[1], 1, (Action<int, int>)null!));
        var body = new TimesTenBody(new int[1]);
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((int[])null!, ref body));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.ForEach(new int[4], ref body, minChunkLength: 0));
    });

    private static void AssertAllOnce(int[] counts, string form) => AssertAll(counts, 1, form);
}
