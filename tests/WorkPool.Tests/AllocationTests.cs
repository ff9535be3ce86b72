using static WorkPool.Tests.AllocationProbe;

namespace WorkPool.Tests;

/// <summary>Allocation tests count bytes process-wide, so nothing else may run beside them.</summary>
[CollectionDefinition("Allocation", DisableParallelization = true)]
public sealed class AllocationTestsDefinition
{
}

/// <summary>
/// After warm-up, every allocation-free form allocates exactly 0 bytes process-wide (callers and
/// workers together): <see cref="GC.GetTotalAllocatedBytes(bool)"/> delta around 10,000 calls,
/// minimum over 3 rounds, must be 0. Never loosened to "small".
/// </summary>
/// <remarks>
/// Each test measures in a child process of its own (<see cref="AllocationProbe"/>).
/// </remarks>
[Collection("Allocation")]
public partial class AllocationTests
{
    private const int Calls = 10_000;

    [Fact]
    public void Control_TheMeasurementSeesAllocationsOnWorkers()
    {
        // A body that allocates one object per call on the worker (no guest slots, so a worker
        // runs each Install): the measurement must see at least Calls × 24 bytes (the smallest
        // object on 64-bit), or the zero results above mean nothing.
        (long min, string rounds) = MeasureIsolated(static pool =>
        {
            long sum = 0;
            for (int i = 0; i < Calls; i++)
            {
                sum += pool.Install(static () =>
                {
                    // Stored in a static field, so the JIT cannot stack-allocate it.
                    Volatile.Write(ref s_sink, new object());
                    return 1L;
                });
            }

            return sum;
        }, Calls, threads: 2, spinCount: 512, nameof(Control_TheMeasurementSeesAllocationsOnWorkers), guestSlots: 0);
        Assert.True(min >= Calls * 24L, $"the measurement missed allocations on worker threads: {rounds}");
    }

    // Preallocated result cells for the state forms whose bodies return nothing (the measured
    // loops must not allocate anything themselves). The Allocation collection runs alone.
    private static readonly long[] Cells = new long[2];

    private static object? s_sink;

    private static long Sum(int n) => (long)n * (n - 1) / 2;

    // ---- Install from outside, every form ----

    [Fact]
    public void ExternalInstall_Action_StaticLambda_ZeroBytes() => AssertZeroBytes("Install(Action)", Calls, static pool =>
    {
        for (int i = 0; i < Calls; i++)
        {
            pool.Install(static () => { });
        }

        return Calls;
    }, Calls);

    [Fact]
    public void ExternalInstall_Func_StaticLambda_ZeroBytes() => AssertZeroBytes("Install(Func<T>)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            sum += pool.Install(static () => 1L);
        }

        return sum;
    }, Calls);

    [Fact]
    public void ExternalInstall_StateAction_StaticLambda_ZeroBytes() => AssertZeroBytes("Install(state, Action<TState>)", Calls, static pool =>
    {
        long[] cells = Cells;
        cells[0] = 0;
        for (int i = 0; i < Calls; i++)
        {
            pool.Install((cells, i), static s => s.cells[0] += s.i);
        }

        return cells[0];
    }, Sum(Calls));

    [Fact]
    public void ExternalInstall_StateFunc_StaticLambda_ZeroBytes() => AssertZeroBytes("Install(state, Func<TState, TResult>)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            sum += pool.Install(i, static s => (long)s);
        }

        return sum;
    }, Sum(Calls));

    [Fact]
    public void ExternalInstall_RefStruct_ZeroBytes() => AssertZeroBytes("Install(ref TWork)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            var work = new AddWork(i, 0);
            pool.Install(ref work);
            sum += work.Sum;
        }

        return sum;
    }, Sum(Calls));

    [Fact]
    public void ExternalInstall_ResultStruct_ZeroBytes() => AssertZeroBytes("Install<TWork, TResult>(TWork)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            sum += pool.Install<TripleWork, long>(new TripleWork(i));
        }

        return sum;
    }, 3 * Sum(Calls));

    // Every call parks both sides, which makes a call far slower than in the other forms, so
    // this form runs 2,000 calls a round: rounds about as short as the other forms' keep
    // occasional background allocations out of at least one round.
    private const int ParkedCalls = 2_000;

    [Fact]
    public void ExternalInstall_StateFunc_WorkersAndCallerPark_ZeroBytes() => AssertZeroBytes("Install(state, Func) with SpinCount = 0 (every wait parks)", ParkedCalls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < ParkedCalls; i++)
        {
            sum += pool.Install(i, static s => (long)s);
        }

        return sum;
    }, Sum(ParkedCalls), spinCount: 0);

    // ---- Install from inside a worker (inline) and from a worker of another pool ----

    [Fact]
    public void NestedInstalls_InsideAWorker_ZeroBytes() => AssertZeroBytes("10,000 nested installs inside a job on a worker", Calls, static pool =>
        RunOnAWorker(pool, static (p, _) => NestedInstalls(p)), Sum(Calls));

    private static long NestedInstalls(WorkStealingPool p)
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            p.Install(static () => { });
            sum += p.Install(static () => 1L) - 1;
            p.Install(i, static _ => { });
            sum += p.Install(i, static s => (long)s);
            var work = new AddWork(0, 0);
            p.Install(ref work);
            sum += p.Install<TripleWork, long>(new TripleWork(0));
        }

        return sum;
    }

    [Fact]
    public void CrossPoolInstalls_FromAWorkerOfAnotherPool_ZeroBytes()
    {
        using WorkStealingPool other = Pools.Create(2, test: "alloc-other");
        AssertZeroBytes("10,000 installs into another pool from one worker", Calls, pool =>
            RunOnAWorker(pool, static (_, o) => CrossPoolInstalls((WorkStealingPool)o!), other), Sum(Calls));
    }

    private static long CrossPoolInstalls(WorkStealingPool other)
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            sum += other.Install(i, static v => (long)v);
        }

        return sum;
    }

    // ---- Join-based recursion inside Install ----

    [Fact]
    public void JoinFib20_StateForm_InsideInstall_ZeroBytes() => AssertZeroBytes("Fib(20) via Join(state, Func, Func) inside Install", 10_945, static pool =>
        pool.Install(pool, static p => Fib.State(p, 20)), Fib.Sequential(20));

    [Fact]
    public void JoinFib20_RefStructForm_InsideInstall_ZeroBytes() => AssertZeroBytes("Fib(20) via Join(ref, ref) inside Install", 10_945, static pool =>
    {
        var work = new FibWork(pool, 20);
        pool.Install(ref work);
        return work.Result;
    }, Fib.Sequential(20));

    [Fact]
    public void JoinFib20_ForkContext_InsideInstall_ZeroBytes() => AssertZeroBytes("Fib(20) via ForkContext.Join inside Install", 10_945, static pool =>
    {
        var work = new ContextFib(20);
        pool.Install(ref work);
        return work.Result;
    }, Fib.Sequential(20));

    [Fact]
    public void TreeSum_ForkContext_WithPromotions_ZeroBytes()
    {
        uint seed = 7;
        TreeNode tree = TreeNode.Build(12, ref seed);
        long expected = TreeNode.SumSequential(tree);
        AssertZeroBytes("tree sums via ForkContext.Join with promotions to idle workers", 4_095, pool =>
        {
            var work = new ContextTreeSum(tree, spin: true);
            pool.Install(ref work);
            return work.Result;
        }, expected);
    }

    [Fact]
    public void JoinFib20_ResultStructForm_InsideInstall_ZeroBytes() => AssertZeroBytes("Fib(20) via Join<TA, TB, TResultA, TResultB> inside Install", 10_945, static pool =>
        pool.Install<FibResultWork, long>(new FibResultWork(pool, 20)), Fib.Sequential(20));

    // ---- N-way Invoke from outside, every form ----

    [Fact]
    public void ExternalInvoke_FourStaticActions_ZeroBytes() => AssertZeroBytes("Invoke(params ReadOnlySpan<Action>) of 4", Calls, static pool =>
    {
        long[] cells = Cells;
        cells[0] = 0;
        for (int i = 0; i < Calls; i++)
        {
            pool.Invoke(
                static () => Interlocked.Increment(ref Cells[0]),
                static () => Interlocked.Increment(ref Cells[0]),
                static () => Interlocked.Increment(ref Cells[0]),
                static () => Interlocked.Increment(ref Cells[0]));
        }

        return cells[0];
    }, 4L * Calls);

    [Fact]
    public void ExternalInvoke_StateForm_FourStaticActions_ZeroBytes() => AssertZeroBytes("Invoke(state, ReadOnlySpan<Action<TState>>) of 4", Calls, static pool =>
    {
        long[] cells = Cells;
        cells[0] = 0;
        for (int i = 0; i < Calls; i++)
        {
            pool.Invoke(cells, [
                static c => Interlocked.Increment(ref c[0]),
                static c => Interlocked.Increment(ref c[0]),
                static c => Interlocked.Increment(ref c[0]),
                static c => Interlocked.Increment(ref c[0]),
            ]);
        }

        return cells[0];
    }, 4L * Calls);

    [Fact]
    public void ExternalInvoke_StructBodies_ZeroBytes() => AssertZeroBytes("Invoke(Span<TWork>) of 4", Calls, static pool =>
    {
        long sum = 0;
        Span<SquareBody> bodies = stackalloc SquareBody[4];
        for (int i = 0; i < Calls; i++)
        {
            for (int k = 0; k < bodies.Length; k++)
            {
                bodies[k] = new SquareBody(k);
            }

            pool.Invoke(bodies);
            foreach (SquareBody body in bodies)
            {
                sum += body.Result;
            }
        }

        return sum;
    }, 14L * Calls);

    /// <summary>Squares its value into <see cref="Result"/>.</summary>
    private struct SquareBody(long value) : IWork
    {
        public long Result;

        public void Run(ForkContext context) => Result = value * value;
    }

    // ---- Join from outside, every form ----

    [Fact]
    public void ExternalJoin_Actions_StaticLambdas_ZeroBytes() => AssertZeroBytes("Join(Action, Action)", Calls, static pool =>
    {
        for (int i = 0; i < Calls; i++)
        {
            pool.Join(static () => { }, static () => { });
        }

        return Calls;
    }, Calls);

    [Fact]
    public void ExternalJoin_Funcs_StaticLambdas_ZeroBytes() => AssertZeroBytes("Join(Func, Func)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            (long a, int b) = pool.Join(static () => 1L, static () => 2);
            sum += a + b;
        }

        return sum;
    }, 3L * Calls);

    [Fact]
    public void ExternalJoin_StateActions_StaticLambdas_ZeroBytes() => AssertZeroBytes("Join(state, Action, Action)", Calls, static pool =>
    {
        long[] cells = Cells;
        cells[0] = cells[1] = 0;
        for (int i = 0; i < Calls; i++)
        {
            pool.Join((cells, i), static s => s.cells[0] += s.i, static s => s.cells[1] += 1);
        }

        return cells[0] + cells[1];
    }, Sum(Calls) + Calls);

    [Fact]
    public void ExternalJoin_StateFuncs_StaticLambdas_ZeroBytes() => AssertZeroBytes("Join(state, Func, Func)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            (long a, long b) = pool.Join(i, static s => (long)s, static s => 1L);
            sum += a + b;
        }

        return sum;
    }, Sum(Calls) + Calls);

    [Fact]
    public void ExternalJoin_RefStructs_ZeroBytes() => AssertZeroBytes("Join(ref TA, ref TB)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            var a = new AddWork(i, 0);
            var b = new AddWork(0, 1);
            pool.Join(ref a, ref b);
            sum += a.Sum + b.Sum;
        }

        return sum;
    }, Sum(Calls) + Calls);

    [Fact]
    public void ExternalJoin_ResultStructs_ZeroBytes() => AssertZeroBytes("Join<TA, TB, TResultA, TResultB>(TA, TB)", Calls, static pool =>
    {
        long sum = 0;
        for (int i = 0; i < Calls; i++)
        {
            (long a, long b) = pool.Join<TripleWork, TripleWork, long, long>(new TripleWork(i), new TripleWork(1));
            sum += a + b;
        }

        return sum;
    }, (3 * Sum(Calls)) + (3L * Calls));

    // ---- Parallel loops ----

    private const int Loops = 1_000;
    private const int LoopLength = 64;

    // Never cancelled: the token form is measured with a real token, whose source already exists.
    private static readonly CancellationTokenSource NeverCancelled = new();

    [Fact]
    public void ExternalFor_StateForm_StaticLambda_ZeroBytes() => AssertZeroBytes("For(from, to, state, Action<TState, int>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            pool.For(0, LoopLength, Cells, static (cells, i) => Interlocked.Add(ref cells[0], i));
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalFor_StructForm_ZeroBytes() => AssertZeroBytes("For(from, to, ref IForBody)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new AddIndexBody(Cells);
            pool.For(0, LoopLength, ref body);
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalFor_StructForm_WithToken_ZeroBytes() => AssertZeroBytes("For(from, to, ref IForBody, minChunkLength, CancellationToken)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new AddIndexBody(Cells);
            pool.For(0, LoopLength, ref body, 2, NeverCancelled.Token);
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ForRange_StructForm_InsideInstall_ZeroBytes() => AssertZeroBytes("ForRange(long, long, ref IForRangeBody) inside Install", Loops * LoopLength, static pool =>
        pool.Install(pool, static p =>
        {
            Cells[0] = 0;
            for (int r = 0; r < Loops; r++)
            {
                var body = new AddRangeBody(Cells);
                p.ForRange(0L, LoopLength, ref body);
            }

            return Cells[0];
        }), Loops * Sum(LoopLength));

    private static readonly long[] LoopSource = Enumerable.Range(0, LoopLength).Select(i => (long)i).ToArray();

    [Fact]
    public void ExternalForEach_StateForm_StaticLambda_ZeroBytes() => AssertZeroBytes("ForEach(T[], state, Action<TState, T>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            pool.ForEach(LoopSource, Cells, static (cells, e) => Interlocked.Add(ref cells[0], e));
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalForEach_StructForm_Memory_ZeroBytes() => AssertZeroBytes("ForEach(Memory<T>, ref IForEachBody<T>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new AddElementBody(Cells);
            pool.ForEach(LoopSource.AsMemory(), ref body);
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ForEach_ReadOnlyStructForm_InsideInstall_ZeroBytes() => AssertZeroBytes("ForEach(ReadOnlyMemory<T>, ref IReadOnlyForEachBody<T>) inside Install", Loops * LoopLength, static pool =>
        pool.Install(pool, static p =>
        {
            Cells[0] = 0;
            for (int r = 0; r < Loops; r++)
            {
                var body = new AddReadOnlyElementBody(Cells);
                p.ForEach((ReadOnlyMemory<long>)LoopSource, ref body);
            }

            return Cells[0];
        }), Loops * Sum(LoopLength));

    private static readonly List<long> ListSource = [.. LoopSource];

    [Fact]
    public void ExternalForEach_List_StateForm_StaticLambda_ZeroBytes() => AssertZeroBytes("ForEach(List<T>, state, Action<TState, T>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            pool.ForEach(ListSource, Cells, static (cells, e) => Interlocked.Add(ref cells[0], e));
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalForEach_List_StructForm_ZeroBytes() => AssertZeroBytes("ForEach(List<T>, ref IForEachBody<T>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new AddElementBody(Cells);
            pool.ForEach(ListSource, ref body);
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalForEach_ReadOnlyList_StructForm_ZeroBytes() => AssertZeroBytes("ForEach(IReadOnlyList<T>, ref IReadOnlyForEachBody<T>)", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new AddReadOnlyElementBody(Cells);
            pool.ForEach((IReadOnlyList<long>)ListSource, ref body);
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ForEach_IList_StateForm_InsideInstall_ZeroBytes() => AssertZeroBytes("ForEach(IList<T>, state, Action<TState, T>) inside Install", Loops * LoopLength, static pool =>
        pool.Install(pool, static p =>
        {
            Cells[0] = 0;
            for (int r = 0; r < Loops; r++)
            {
                p.ForEach((IList<long>)ListSource, Cells, static (cells, e) => Interlocked.Add(ref cells[0], e));
            }

            return Cells[0];
        }), Loops * Sum(LoopLength));

    /// <summary>Adds every element into cell 0.</summary>
    private readonly struct AddElementBody(long[] cells) : IForEachBody<long>
    {
        public void Invoke(ref long element, int index) => Interlocked.Add(ref cells[0], element);
    }

    /// <summary>Adds every element into cell 0, by read-only reference.</summary>
    private readonly struct AddReadOnlyElementBody(long[] cells) : IReadOnlyForEachBody<long>
    {
        public void Invoke(in long element, int index) => Interlocked.Add(ref cells[0], element);
    }

    [Fact]
    public void ExternalReduce_StructReducer_ZeroBytes() => AssertZeroBytes("Reduce<TReducer, TResult>(from, to, reducer)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            sum += pool.Reduce<IndexSum, long>(0, LoopLength, default);
        }

        return sum;
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalReduce_Deterministic_ZeroBytes() => AssertZeroBytes("Reduce<TReducer, TResult>(from, to, reducer, deterministic: true)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            sum += pool.Reduce<IndexSum, long>(0L, LoopLength, default, deterministic: true, cancellationToken: NeverCancelled.Token);
        }

        return sum;
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalReduce_StateForm_StaticLambdas_ZeroBytes() => AssertZeroBytes("Reduce(from, to, state, identity, Func<TState, TResult, int, TResult>, Func<TResult, TResult, TResult>)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            sum += pool.Reduce(0, LoopLength, LoopSource, 0L, static (source, acc, i) => acc + source[i], static (a, b) => a + b);
        }

        return sum;
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ExternalReduce_LongStateForm_StaticLambdas_ZeroBytes() => AssertZeroBytes("Reduce(long from, long to, state, identity, Func<TState, TResult, long, TResult>, Func<TResult, TResult, TResult>)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            sum += pool.Reduce(0L, LoopLength, LoopSource, 0L, static (source, acc, i) => acc + source[i], static (a, b) => a + b);
        }

        return sum;
    }, Loops * Sum(LoopLength));

    [Fact]
    public void Reduce_InsideInstall_BothModes_ZeroBytes() => AssertZeroBytes("Reduce inside Install (adaptive and deterministic)", Loops * LoopLength, static pool =>
        pool.Install(pool, static p =>
        {
            long sum = 0;
            for (int r = 0; r < Loops; r++)
            {
                sum += p.Reduce<IndexSum, long>(0, LoopLength, default, deterministic: (r & 1) == 0);
            }

            return sum;
        }), Loops * Sum(LoopLength));

    [Fact]
    public void ExternalFor_ControlledStateForm_WithBreak_ZeroBytes() => AssertZeroBytes("For(from, to, state, ControlledForAction<TState>) with Break", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            LoopResult result = pool.For(0, 2 * LoopLength, Cells, static (cells, i, control) =>
            {
                if (i >= LoopLength)
                {
                    control.Break();
                    return;
                }

                Interlocked.Add(ref cells[0], i);
            });
            Cells[0] += result.LowestBreakIteration == LoopLength ? 0 : 1_000_000_000;
        }

        return Cells[0];
    }, Loops * Sum(LoopLength));

    [Fact]
    public void ControlledFor_InsideInstall_ZeroBytes() => AssertZeroBytes("For(long, long, state, LongControlledForAction<TState>) inside Install", Loops * LoopLength, static pool =>
        pool.Install(pool, static p =>
        {
            Cells[0] = 0;
            for (int r = 0; r < Loops; r++)
            {
                p.For(0L, LoopLength, Cells, static (cells, i, _) => Interlocked.Add(ref cells[0], i));
            }

            return Cells[0];
        }), Loops * Sum(LoopLength));

    // Loops long enough (about 100 µs) that the caller hands pieces to the workers.
    private const int LongLoops = 200;
    private const int LongLoopLength = 1024;

    [Fact]
    public void ExternalFor_LongLoopsHandedToWorkers_ZeroBytes() => AssertZeroBytes("For(from, to, ref IForBody) of ~100 µs (caller and workers)", LongLoops * LongLoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < LongLoops; r++)
        {
            var body = new SlowAddIndexBody(Cells);
            pool.For(0, LongLoopLength, ref body);
        }

        return Cells[0];
    }, LongLoops * Sum(LongLoopLength));

    [Fact]
    public void ExternalFor_LongLoops_WorkersPark_ZeroBytes() => AssertZeroBytes("For(from, to, ref IForBody) of ~100 µs with SpinCount = 0 (helpers joined or revoked)", LongLoops * LongLoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < LongLoops; r++)
        {
            var body = new SlowAddIndexBody(Cells);
            pool.For(0, LongLoopLength / (1 + (r % 8)), ref body);
        }

        return Cells[0];
    }, Enumerable.Range(0, LongLoops).Sum(r => Sum(LongLoopLength / (1 + (r % 8)))), spinCount: 0);

    [Fact]
    public void ExternalReduce_LongReductionsHandedToWorkers_ZeroBytes() => AssertZeroBytes("Reduce of ~100 µs (caller and workers)", LongLoops * LongLoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < LongLoops; r++)
        {
            sum += pool.Reduce<SlowIndexSum, long>(0, LongLoopLength, default);
        }

        return sum;
    }, LongLoops * Sum(LongLoopLength));

    /// <summary>About 100 ns of arithmetic that the JIT cannot remove; returns 0.</summary>
    private static long Spin(long i)
    {
        ulong x = ((ulong)i * 0x9E3779B97F4A7C15UL) | 1;
        for (int k = 0; k < 64; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x == 0 ? 1 : 0;
    }

    /// <summary>Adds every index into cell 0, after some work.</summary>
    private readonly struct SlowAddIndexBody(long[] cells) : IForBody
    {
        public void Invoke(int index) => Interlocked.Add(ref cells[0], index + Spin(index));
    }

    /// <summary>Sums the indices, after some work for each.</summary>
    private readonly struct SlowIndexSum : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator += i + Spin(i);
            }

            return accumulator;
        }

        public long Combine(long left, long right) => left + right;
    }

    /// <summary>Sums the indices.</summary>
    private readonly struct IndexSum : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator += i;
            }

            return accumulator;
        }

        public long Combine(long left, long right) => left + right;
    }

    // ---- Statistics ----

    private static readonly WorkPool.Diagnostics.PoolStatistics Snapshot = new();

    [Fact]
    public void GetStatistics_IntoAReusedSnapshot_ZeroBytes() => AssertZeroBytes("GetStatistics(snapshot)", Calls, static pool =>
    {
        long rows = 0;
        for (int i = 0; i < Calls; i++)
        {
            pool.GetStatistics(Snapshot);
            rows += Snapshot.Workers.Length;
        }

        return rows;
    }, 2L * Calls);

    /// <summary>Adds every index into cell 0.</summary>
    private readonly struct AddIndexBody(long[] cells) : IForBody
    {
        public void Invoke(int index) => Interlocked.Add(ref cells[0], index);
    }

    /// <summary>Adds every index of each sub-range into cell 0.</summary>
    private readonly struct AddRangeBody(long[] cells) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            long sum = 0;
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                sum += i;
            }

            Interlocked.Add(ref cells[0], sum);
        }
    }
}
