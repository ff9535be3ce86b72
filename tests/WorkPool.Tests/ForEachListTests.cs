using System.Collections;
using System.Collections.ObjectModel;
using static WorkPool.Tests.ForEachProbes;

namespace WorkPool.Tests;

/// <summary>
/// ForEach over List&lt;T&gt;, IList&lt;T&gt; and IReadOnlyList&lt;T&gt; in every form (delegate, state,
/// struct body; on the pool and through ForkJoin): each element exactly once, in-place updates of
/// a List&lt;T&gt;, a type that is both kinds of list binding without ambiguity, exceptions,
/// cancellation and argument checks, from outside and from inside a worker.
/// </summary>
public class ForEachListTests
{
    [Theory]
    [MemberData(nameof(ForEachCases.SidesAndLengths), MemberType = typeof(ForEachCases))]
    public void EveryForm_VisitsEveryElementOnce(bool fromWorker, int length) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            // Elements are their own positions, so a count per element checks "exactly once".
            List<int> list = [.. Enumerable.Range(0, length)];
            IList<int> onlyList = new OnlyList<int>(list);
            IReadOnlyList<int> onlyReadOnly = new OnlyReadOnlyList<int>(list);
            ReadOnlyCollection<int> both = list.AsReadOnly();

            var counts = new int[length];
            pool.ForEach(list, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 1, "ForEach(List<T>, Action<T>)");
            pool.ForEach(onlyList, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 2, "ForEach(IList<T>, Action<T>)");
            pool.ForEach(onlyReadOnly, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 3, "ForEach(IReadOnlyList<T>, Action<T>)");
            pool.ForEach(both, e => Interlocked.Increment(ref counts[e]));
            AssertAll(counts, 4, "ForEach(ReadOnlyCollection<T>, Action<T>)");

            counts = new int[length];
            pool.ForEach(list, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 1, "ForEach(List<T>, state)");
            pool.ForEach(onlyList, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 2, "ForEach(IList<T>, state)");
            pool.ForEach(onlyReadOnly, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 3, "ForEach(IReadOnlyList<T>, state)");
            pool.ForEach(both, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 4, "ForEach(ReadOnlyCollection<T>, state)");

            // Struct bodies: a List<T> by reference (updated in place), the interfaces by read-only reference.
            var visits = new int[length];
            var update = new TimesTenBody(visits);
            pool.ForEach(list, ref update, minChunkLength: 3);
            Assert.Equal(length, update.Hits);
            Assert.Equal(Enumerable.Range(0, length).Select(i => (i * 10) + 1), list);

            foreach (IReadOnlyList<int> source in new IReadOnlyList<int>[] { onlyReadOnly, both })
            {
                var read = new ReadBody(new int[length]);
                pool.ForEach(source, ref read);
                Assert.Equal(length, read.Hits);
                Assert.Equal(list, read.Seen);
            }

            var readList = new ReadBody(new int[length]);
            pool.ForEach(onlyList, ref readList, minChunkLength: 2);
            Assert.Equal(length, readList.Hits);
            Assert.Equal(list, readList.Seen);

            var readBoth = new ReadBody(new int[length]);
            pool.ForEach(both, ref readBoth);
            Assert.Equal(list, readBoth.Seen);
        });
    });

    [Fact]
    public void ForkJoinForms_MatchThePoolForms() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(() =>
        {
            List<int> list = [.. Enumerable.Range(0, 500)];
            var counts = new int[list.Count];
            ForkJoin.ForEach(list, e => Interlocked.Increment(ref counts[e]));
            ForkJoin.ForEach((IList<int>)new OnlyList<int>(list), counts, static (c, e) => Interlocked.Increment(ref c[e]));
            ForkJoin.ForEach(list.AsReadOnly(), counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 3, "ForkJoin.ForEach over lists");

            var read = new ReadBody(new int[list.Count]);
            ForkJoin.ForEach((IReadOnlyList<int>)list, ref read);
            Assert.Equal(list, read.Seen);
            var update = new TimesTenBody(new int[list.Count]);
            ForkJoin.ForEach(list, ref update);
            Assert.Equal(list.Count, update.Hits);
        });
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExceptionAndCancellation_StopTheLoop_AndThePoolKeepsWorking(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Sides.On(pool, fromWorker, () =>
        {
            List<int> list = [.. Enumerable.Range(0, 10_000)];
            var error = Contract.ThrowsOne<InvalidOperationException>(() => pool.ForEach(list, static e =>
            {
                if (e == 4321)
                {
                    throw new InvalidOperationException("element 4321");
                }
            }));
            Assert.Equal("element 4321", error.Message);

            using var cts = new CancellationTokenSource();
            cts.Cancel();
            int ran = 0;
            Assert.Throws<OperationCanceledException>(() => pool.ForEach((IReadOnlyList<int>)list, _ => Interlocked.Increment(ref ran), cts.Token));
            Assert.Equal(0, ran);

            var counts = new int[list.Count];
            pool.ForEach((IList<int>)list, counts, static (c, e) => Interlocked.Increment(ref c[e]));
            AssertAll(counts, 1, "ForEach(IList<T>, state) after an exception");
        });
    });

    [Fact]
    public void Arguments_AreChecked() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((List<int>)null!, static _ => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((IList<int>)null!, static _ => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((IReadOnlyList<int>)null!, static _ => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((List<int>)null!, 1, static (_, _) => { }));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach(new List<int> { 1 }, (Action<int>)null!));
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((IReadOnlyList<int>)new List<int> { 1 }, 1, (Action<int, int>)null!));
        var body = new ReadBody(new int[1]);
        Assert.Throws<ArgumentNullException>(() => pool.ForEach((IList<int>)null!, ref body));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.ForEach(new List<int> { 1 }.AsReadOnly(), ref body, minChunkLength: 0));
        var update = new TimesTenBody(new int[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.ForEach(new List<int> { 1 }, ref update, minChunkLength: 0));
    });

    /// <summary>An IList&lt;T&gt; that is not an IReadOnlyList&lt;T&gt; (as some older collections are).</summary>
    private sealed class OnlyList<T>(List<T> inner) : IList<T>
    {
        public T this[int index] { get => inner[index]; set => inner[index] = value; }

        public int Count => inner.Count;

        public bool IsReadOnly => false;

        public void Add(T item) => inner.Add(item);

        public void Clear() => inner.Clear();

        public bool Contains(T item) => inner.Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => inner.CopyTo(array, arrayIndex);

        public IEnumerator<T> GetEnumerator() => inner.GetEnumerator();

        public int IndexOf(T item) => inner.IndexOf(item);

        public void Insert(int index, T item) => inner.Insert(index, item);

        public bool Remove(T item) => inner.Remove(item);

        public void RemoveAt(int index) => inner.RemoveAt(index);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>An IReadOnlyList&lt;T&gt; that is not an IList&lt;T&gt;.</summary>
    private sealed class OnlyReadOnlyList<T>(List<T> inner) : IReadOnlyList<T>
    {
        public T this[int index] => inner[index];

        public int Count => inner.Count;

        public IEnumerator<T> GetEnumerator() => inner.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
