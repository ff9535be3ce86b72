using WorkPool;

namespace Samples;

/// <summary>
/// Every WorkPool form in README.md's migration table, compiled and run (SampleTests): one
/// method per row, in the table's order. The TPL column is in each method's comment.
/// </summary>
public static class Migration
{
    private static int s_work;

    private static void Work() => Interlocked.Increment(ref s_work);

    private static void Work(int[] state) => Interlocked.Increment(ref state[0]);

    private static int F(int x) => x * 2;

    public static int Runs => Volatile.Read(ref s_work);

    // Task.Run(() => Work()).Wait()
    public static void InstallAction(WorkStealingPool pool, int[] state)
    {
        pool.Install(() => Work());
        pool.Install(state, static s => Work(s));
        var body = new WorkBody(state);
        pool.Install(ref body);
    }

    // var r = Task.Run(() => F(x)).Result
    public static int InstallResult(WorkStealingPool pool, int x)
    {
        int r = pool.Install(() => F(x));
        return r + pool.Install(x, static x => F(x));
    }

    // Parallel.Invoke(() => A(), () => B())
    public static void JoinTwo(WorkStealingPool pool, int[] state)
    {
        pool.Join(() => Work(), () => Work());
        pool.Join(state, static s => Work(s), static s => Work(s));
        var a = new WorkBody(state);
        var b = new WorkBody(state);
        pool.Join(ref a, ref b);
    }

    // recursive Parallel.Invoke inside tasks
    public static int RecursiveJoin(WorkStealingPool pool, int[] state) =>
        pool.Install(state, static s =>
        {
            ForkJoin.Join(s, static s => Work(s), static s => Work(s));
            var a = new WorkBody(s);
            var b = new WorkBody(s);
            ForkJoin.Join(ref a, ref b);
            return s[0];
        });

    // Parallel.For(0, n, i => ...)
    public static void ForInt(WorkStealingPool pool, int[] output)
    {
        pool.For(0, output.Length, i => output[i] = i);
        pool.For(0, output.Length, output, static (o, i) => o[i] += i);
        var body = new AddIndexBody(output);
        pool.For(0, output.Length, ref body);
        var range = new AddIndexRange(output);
        pool.ForRange(0, output.Length, ref range);
    }

    // Parallel.For(0L, n, i => ...)
    public static void ForLong(WorkStealingPool pool, long[] output)
    {
        pool.For(0L, output.Length, i => output[i] = i);
        pool.For(0L, output.Length, output, static (o, i) => o[i] += i);
        var body = new AddLongIndexBody(output);
        pool.For(0L, output.Length, ref body);
    }

    // Parallel.For(0, n, (i, loopState) => { ... loopState.Break(); })
    public static (long? Lowest, long? LowestWithState) ForBreak(WorkStealingPool pool, int breakAt)
    {
        LoopResult result = pool.For(0, 1000, (i, control) => { if (i >= breakAt) control.Break(); });
        LoopResult withState = pool.For(0, 1000, breakAt, static (b, i, control) => { if (i >= b) control.Break(); });
        return (result.LowestBreakIteration, withState.LowestBreakIteration);
    }

    // Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, ...)
    public static void ForCancellable(WorkStealingPool pool, int[] output, CancellationToken ct)
    {
        pool.For(0, output.Length, i => output[i] = i, ct);
        pool.For(0, output.Length, output, static (o, i) => o[i] += i, ct);
        var body = new AddIndexBody(output);
        pool.For(0, output.Length, ref body, cancellationToken: ct);
    }

    // Parallel.ForEach(array, x => ...)
    public static long ForEachElement(WorkStealingPool pool, int[] array)
    {
        long sum = 0;
        pool.ForEach(array, x => Interlocked.Add(ref sum, x));
        var total = new long[1];
        pool.ForEach(array, total, static (t, x) => Interlocked.Add(ref t[0], x));
        var body = new DoubleElementBody();
        pool.ForEach(array, ref body);
        return sum + total[0];
    }

    // ParallelEnumerable.Range(0, n).Sum(i => f(i)), and AsParallel().Sum() on double, same result every run
    public static (long Sum, long StructSum, double DoubleSum) Reductions(WorkStealingPool pool, int n)
    {
        long sum = pool.Reduce(0, n, 0L, (acc, i) => acc + F(i), (a, b) => a + b);
        long structSum = pool.Reduce<LongSumReducer, long>(0, n, default);
        double doubleSum = pool.Reduce<DoubleSumReducer, double>(0, n, default, deterministic: true);
        return (sum, structSum, doubleSum);
    }

    // var ts = items.Select(x => Task.Run(() => F(x))); Task.WaitAll(ts)
    public static long ScopeOfJobs(WorkStealingPool pool, int[] items)
    {
        long total = 0;
        pool.Scope(s => { foreach (int x in items) s.Spawn(_ => Interlocked.Add(ref total, F(x))); });
        var totals = new long[1];
        pool.Scope((items, totals), static (st, s) => { foreach (int x in st.items) s.Spawn(new FJob(x, st.totals)); });
        return total + totals[0];
    }

    // Task.Run(() => Work()) (not awaited), ThreadPool.UnsafeQueueUserWorkItem
    public static void FireAndForget(WorkStealingPool pool, CountdownEvent done)
    {
        pool.Spawn(() => done.Signal());
        pool.Spawn(done, static d => d.Signal());
        pool.Spawn(new SignalJob(done));
    }

    // per-thread setup on every pool thread (no TPL equivalent)
    public static int[] PerWorkerSetup(WorkStealingPool pool)
    {
        int[] calls = new int[pool.ThreadCount];
        pool.Broadcast(i => calls[i]++);
        pool.Broadcast(calls, static (c, i) => c[i]++);
        return calls;
    }

    // TaskScheduler.Current / Task.CurrentId
    public static (bool OutsideIsNull, int OutsideIndex, int InsideIndex) Current(WorkStealingPool pool) =>
        (WorkStealingPool.Current is null, WorkStealingPool.CurrentWorkerIndex,
         pool.Install(static () => WorkStealingPool.Current is not null ? WorkStealingPool.CurrentWorkerIndex : -2));

    private readonly struct WorkBody(int[] state) : IWork
    {
        public void Run(ForkContext context) => Work(state);
    }

    private readonly struct AddIndexBody(int[] output) : IForBody
    {
        public void Invoke(int index) => output[index] += index;
    }

    private readonly struct AddIndexRange(int[] output) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++) output[i] += (int)i;
        }
    }

    private readonly struct AddLongIndexBody(long[] output) : ILongForBody
    {
        public void Invoke(long index) => output[index] += index;
    }

    private readonly struct DoubleElementBody : IForEachBody<int>
    {
        public void Invoke(ref int element, int index) => element *= 2;
    }

    private readonly struct LongSumReducer : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++) accumulator += F((int)i);
            return accumulator;
        }

        public long Combine(long left, long right) => left + right;
    }

    private readonly struct DoubleSumReducer : IRangeReducer<double>
    {
        public double Identity() => 0;

        public double Accumulate(double accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++) accumulator += 1.0 / (i + 1);
            return accumulator;
        }

        public double Combine(double left, double right) => left + right;
    }

    private readonly struct FJob(int x, long[] totals) : IScopeWork
    {
        public void Run(Scope scope) => Interlocked.Add(ref totals[0], F(x));
    }

    private readonly struct SignalJob(CountdownEvent done) : IWork
    {
        public void Run(ForkContext context) => done.Signal();
    }
}
