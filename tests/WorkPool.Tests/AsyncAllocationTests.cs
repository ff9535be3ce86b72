using System.Threading.Tasks.Sources;
using Microsoft.Extensions.ObjectPool;
using static WorkPool.Tests.AllocationProbe;

namespace WorkPool.Tests;

// The allocation probes of InstallAsync, WorkerLocal, loops with local state and the pool's
// ObjectPool: more cases of AllocationTests (same child-process measurement, same exact
// assertion), in their own file.
public partial class AllocationTests
{
    private static AsyncLoop? s_asyncLoop;

    [Fact]
    public void InstallAsync_StateForm_StaticLambda_10000Awaits_ZeroBytes() => AssertZeroBytes("await InstallAsync(state, Func<TState, TResult>)", Calls, static pool =>
        (s_asyncLoop ??= new AsyncLoop()).Run(pool, Calls, static (p, i) => p.InstallAsync(i, static s => (long)s)), Sum(Calls), warmEachWorker: false);

    [Fact]
    public void InstallAsync_StateActionForm_10000Awaits_ZeroBytes() => AssertZeroBytes("await InstallAsync(state, Action<TState>)", Calls, static pool =>
    {
        Cells[0] = 0;
        (s_asyncLoop ??= new AsyncLoop()).Run(pool, Calls, static (p, i) => p.InstallAsync(Cells, static c => { c[0]++; }));
        return Cells[0];
    }, Calls, warmEachWorker: false);

    [Fact]
    public void InstallAsync_StructForm_10000Awaits_ZeroBytes() => AssertZeroBytes("await InstallAsync<TWork, TResult>(TWork)", Calls, static pool =>
        (s_asyncLoop ??= new AsyncLoop()).Run(pool, Calls, static (p, i) => p.InstallAsync<TripleWork, long>(new TripleWork(i))), 3 * Sum(Calls), warmEachWorker: false);

    private const int AsyncLoops = 1_000;

    [Fact]
    public void ForAsync_StateForm_ZeroBytes() => AssertZeroBytes("await ForAsync(from, to, state, Action<TState, int>)", AsyncLoops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        (s_asyncLoop ??= new AsyncLoop()).Run(pool, AsyncLoops, static (p, _) => p.ForAsync(0, LoopLength, Cells, static (cells, i) => Interlocked.Add(ref cells[0], i)));
        return Cells[0];
    }, AsyncLoops * Sum(LoopLength), warmEachWorker: false);

    private static readonly WorkerLocalHolder Locals = new();

    [Fact]
    public void WorkerLocal_InLoops_ZeroBytesAfterCreation() => AssertZeroBytes("For(from, to, WorkerLocal<long>, static (local, i) => local.Value += i)", Loops * LoopLength, static pool =>
    {
        WorkerLocal<long> local = Locals.For(pool);
        for (int r = 0; r < Loops; r++)
        {
            pool.For(0, LoopLength, local, static (l, i) => l.Value += i);
        }

        long sum = 0;
        foreach (ref long value in local)
        {
            sum += value;
            value = 0;
        }

        return sum;
    }, Loops * Sum(LoopLength), warmEachWorker: false);

    [Fact]
    public void ForWithLocalState_StructForm_ZeroBytes() => AssertZeroBytes("For<TBody, TLocal>(from, to, ref IForLocalBody<TLocal>)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            var body = new LocalSumBody();
            pool.For<LocalSumBody, long>(0, LoopLength, ref body);
            sum += body.Total;
        }

        return sum;
    }, Loops * Sum(LoopLength), warmEachWorker: false);

    [Fact]
    public void ForWithLocalState_LongLoopsHandedToWorkers_ZeroBytes() => AssertZeroBytes("For<TBody, TLocal>(from, to, ref IForLocalBody<TLocal>) of ~100 µs", LongLoops * LongLoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < LongLoops; r++)
        {
            var body = new SlowLocalSumBody();
            pool.For<SlowLocalSumBody, long>(0, LongLoopLength, ref body);
            sum += body.Total;
        }

        return sum;
    }, LongLoops * Sum(LongLoopLength), warmEachWorker: false);

    private static readonly ObjectPoolHolder ObjectPools = new();

    [Fact]
    public void ObjectPool_GetReturn_OutsideAndOnParticipants_ZeroBytes() => AssertZeroBytes("pool.CreateObjectPool(policy): Get + Return (outside, and inside Install)", Calls, static pool =>
    {
        ObjectPool<long[]> objects = ObjectPools.For(pool);
        long sum = 0;
        for (int i = 0; i < Calls / 2; i++)
        {
            long[] item = objects.Get();
            sum += item.Length;
            objects.Return(item);
        }

        return sum + pool.Install(objects, static o =>
        {
            long inside = 0;
            for (int i = 0; i < Calls / 2; i++)
            {
                long[] item = o.Get();
                inside += item.Length;
                o.Return(item);
            }

            return inside;
        });
    }, Calls, warmEachWorker: false);

    /// <summary>Sums the indices into a per-participant local, then the locals into <see cref="Total"/>.</summary>
    private struct LocalSumBody : IForLocalBody<long>
    {
        public long Total;

        public readonly long Init() => 0;

        public readonly void Invoke(int index, ref long local) => local += index;

        public void Finish(long local) => Total += local;
    }

    /// <summary>As <see cref="LocalSumBody"/>, with about 100 ns of work per index.</summary>
    private struct SlowLocalSumBody : IForLocalBody<long>
    {
        public long Total;

        public readonly long Init() => 0;

        public readonly void Invoke(int index, ref long local) => local += index + Spin(index);

        public void Finish(long local) => Total += local;
    }

    /// <summary>One WorkerLocal per pool, created on the first (warm-up) call.</summary>
    private sealed class WorkerLocalHolder
    {
        private WorkerLocal<long>? _local;

        public WorkerLocal<long> For(WorkStealingPool pool)
        {
            if (_local is null || _local.Pool != pool)
            {
                _local = new WorkerLocal<long>(pool, static () => 0L);
            }

            return _local;
        }
    }

    /// <summary>One object pool per pool, created on the first (warm-up) call.</summary>
    private sealed class ObjectPoolHolder
    {
        private ObjectPool<long[]>? _objects;
        private WorkStealingPool? _pool;

        public ObjectPool<long[]> For(WorkStealingPool pool)
        {
            if (_objects is null || _pool != pool)
            {
                _objects = pool.CreateObjectPool(new OneElementPolicy());
                _pool = pool;
            }

            return _objects;
        }

        private sealed class OneElementPolicy : PooledObjectPolicy<long[]>
        {
            public override long[] Create() => new long[1];

            public override bool Return(long[] obj) => true;
        }
    }

    /// <summary>
    /// One async method that lives across rounds: each <see cref="Run"/> releases it (through a
    /// reusable completion source of its own) to await <paramref name="calls"/> operations in a
    /// row on .NET thread-pool threads, and waits for it. The async method's state machine is
    /// allocated once, on the first round (warm-up), so a round allocates only what the awaited
    /// operations allocate.
    /// </summary>
    internal sealed class AsyncLoop : IValueTaskSource<bool>, IDisposable
    {
        private readonly ManualResetEventSlim _done = new();
        private ManualResetValueTaskSourceCore<bool> _start = new() { RunContinuationsAsynchronously = true };
        private Func<WorkStealingPool, int, ValueTask<long>>? _operation;
        private Func<WorkStealingPool, int, ValueTask>? _voidOperation;
        private WorkStealingPool? _pool;
        private int _calls;
        private long _sum;
        private Exception? _error;

        public AsyncLoop() => _ = Loop();

        public long Run(WorkStealingPool pool, int calls, Func<WorkStealingPool, int, ValueTask<long>> operation) => Run(pool, calls, operation, null);

        public long Run(WorkStealingPool pool, int calls, Func<WorkStealingPool, int, ValueTask> operation) => Run(pool, calls, null, operation);

        private long Run(WorkStealingPool pool, int calls, Func<WorkStealingPool, int, ValueTask<long>>? operation, Func<WorkStealingPool, int, ValueTask>? voidOperation)
        {
            _pool = pool;
            _calls = calls;
            _operation = operation;
            _voidOperation = voidOperation;
            _done.Reset();
            _start.SetResult(true);
            // Not a Gate: a round must not allocate, and a gate is single-use.
            if (!_done.Wait(Bounded.WaitLimit))
            {
                Assert.Fail("A round of the async loop hung.");
            }

            if (_error is { } error)
            {
                _error = null;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            return _sum;
        }

        private async Task Loop()
        {
            while (await new ValueTask<bool>(this, _start.Version))
            {
                try
                {
                    long sum = 0;
                    for (int i = 0; i < _calls; i++)
                    {
                        if (_voidOperation is { } voidOperation)
                        {
                            await voidOperation(_pool!, i);
                        }
                        else
                        {
                            sum += await _operation!(_pool!, i);
                        }
                    }

                    _sum = sum;
                }
                catch (Exception e)
                {
                    _error = e;
                }

                _done.Set();
            }
        }

        public void Dispose() => _done.Dispose();

        public bool GetResult(short token)
        {
            bool result = _start.GetResult(token);
            _start.Reset();
            return result;
        }

        public ValueTaskSourceStatus GetStatus(short token) => _start.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _start.OnCompleted(continuation, state, token, flags);
    }
}
