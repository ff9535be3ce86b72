using static WorkPool.Tests.AllocationProbe;

namespace WorkPool.Tests;

// Guest calls and the fallback path (no guest slots): exactly 0 bytes process-wide after warm-up
// (see AllocationTests). Each measured call also checks where it ran: a call that took the other
// path adds a large number to the checksum, so the assertion on the checksum fails. The guest
// forms skip the warm-up on each worker (it would run them on a worker, not as a guest): the
// caller's two warm-up runs, whose halves and spawns the workers take, warm what they use.
public partial class AllocationTests
{
    private const long WrongPath = 1_000_000_000;

    /// <summary>1 inside a guest call of the current pool, <see cref="WrongPath"/> elsewhere.</summary>
    private static long GuestMark() =>
        WorkStealingPool.Current is { } pool && WorkStealingPool.CurrentWorkerIndex >= pool.ThreadCount ? 1 : WrongPath;

    /// <summary>1 on a worker of the current pool, <see cref="WrongPath"/> elsewhere.</summary>
    private static long WorkerMark() =>
        WorkStealingPool.Current is { } pool && WorkStealingPool.CurrentWorkerIndex >= 0 && WorkStealingPool.CurrentWorkerIndex < pool.ThreadCount ? 1 : WrongPath;

    private static long InstallEveryForm(WorkStealingPool pool, Func<long> mark, int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            sum += pool.Install(mark);
            sum += pool.Install(mark, static m => m());
            pool.Install(mark, static m => Cells[0] += m());
            var work = new MarkWork(mark);
            pool.Install(ref work);
            sum += work.Mark;
            sum += pool.Install<MarkResultWork, long>(new MarkResultWork(mark));
        }

        return sum + Cells[0];
    }

    private static long JoinEveryForm(WorkStealingPool pool, Func<long> mark, int calls)
    {
        // A runs where the Join was called; B may be shared, so it adds a constant.
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            (long a, long b) = pool.Join(mark, static () => 1L);
            sum += a + b;
            (a, b) = pool.Join(mark, static m => m(), static _ => 1L);
            sum += a + b;
            pool.Join(mark, static m => Cells[0] += m(), static _ => { });
            var x = new MarkWork(mark);
            var y = new MarkWork(static () => 0L);
            pool.Join(ref x, ref y);
            sum += x.Mark;
            (a, b) = pool.Join<MarkResultWork, MarkResultWork, long, long>(new MarkResultWork(mark), new MarkResultWork(static () => 1L));
            sum += a + b;
        }

        return sum + Cells[0];
    }

    private static long ScopesWithSpawns(WorkStealingPool pool, Func<long> mark, int scopes)
    {
        Cells[1] = 0;
        for (int s = 0; s < scopes; s++)
        {
            pool.Scope(mark, static (m, scope) =>
            {
                Cells[1] += m();
                for (int k = 0; k < 16; k++)
                {
                    scope.Spawn(Cells, static (c, _) => Interlocked.Increment(ref c[0]));
                }
            });
        }

        return Cells[0] + Cells[1];
    }

    private static readonly Func<long> GuestMarkFunc = GuestMark;
    private static readonly Func<long> WorkerMarkFunc = WorkerMark;

    [Fact]
    public void Guest_InstallEveryForm_ZeroBytes() => AssertZeroBytes("guest Install, every form", 5 * Calls, static pool =>
    {
        Cells[0] = 0;
        return InstallEveryForm(pool, GuestMarkFunc, Calls);
    }, 5L * Calls, warmEachWorker: false);

    [Fact]
    public void Guest_JoinEveryForm_ZeroBytes() => AssertZeroBytes("guest Join, every form", 5 * Calls, static pool =>
    {
        Cells[0] = 0;
        return JoinEveryForm(pool, GuestMarkFunc, Calls);
    }, 8L * Calls, warmEachWorker: false);

    [Fact]
    public void Guest_ScopeOf16Spawns_ZeroBytes() => AssertZeroBytes("guest Scope of 16 spawns", Scopes * 16, static pool =>
    {
        Cells[0] = 0;
        return ScopesWithSpawns(pool, GuestMarkFunc, Scopes);
    }, Scopes * 17L, warmEachWorker: false, injectorCapacity: SpawnRingCapacity);

    [Fact]
    public void Guest_For_CallerTakesPart_ZeroBytes() => AssertZeroBytes("guest For (the caller runs pieces as a guest)", Loops * LoopLength, static pool =>
    {
        long sum = 0;
        for (int r = 0; r < Loops; r++)
        {
            Cells[0] = Cells[1] = 0;
            pool.For(0, LoopLength, Cells, static (cells, i) =>
            {
                Interlocked.Add(ref cells[0], i);
                if (GuestMark() == 1)
                {
                    Volatile.Write(ref cells[1], 1);
                }
            });
            sum += Cells[0] + Cells[1];
        }

        return sum;
    }, Loops * (Sum(LoopLength) + 1), warmEachWorker: false);

    [Fact]
    public void NoGuestSlots_InstallEveryForm_OnWorkers_ZeroBytes() => AssertZeroBytes("Install, every form, no guest slots", 5 * Calls, static pool =>
    {
        Cells[0] = 0;
        return InstallEveryForm(pool, WorkerMarkFunc, Calls);
    }, 5L * Calls, guestSlots: 0);

    [Fact]
    public void NoGuestSlots_JoinEveryForm_OnWorkers_ZeroBytes() => AssertZeroBytes("Join, every form, no guest slots", 5 * Calls, static pool =>
    {
        Cells[0] = 0;
        return JoinEveryForm(pool, WorkerMarkFunc, Calls);
    }, 8L * Calls, guestSlots: 0);

    [Fact]
    public void NoGuestSlots_ScopeOf16Spawns_OnWorkers_ZeroBytes() => AssertZeroBytes("Scope of 16 spawns, no guest slots", Scopes * 16, static pool =>
    {
        Cells[0] = 0;
        return ScopesWithSpawns(pool, WorkerMarkFunc, Scopes);
    }, Scopes * 17L, injectorCapacity: SpawnRingCapacity, guestSlots: 0);

    [Fact]
    public void NoGuestSlots_For_OnWorkers_ZeroBytes() => AssertZeroBytes("For, no guest slots", Loops * LoopLength, static pool =>
    {
        Cells[0] = 0;
        for (int r = 0; r < Loops; r++)
        {
            pool.For(0, LoopLength, Cells, static (cells, i) => Interlocked.Add(ref cells[0], i * WorkerMark()));
        }

        return Cells[0];
    }, Loops * Sum(LoopLength), guestSlots: 0);

    [Fact]
    public void Guest_NestedInstalls_InsideAGuestCall_ZeroBytes() => AssertZeroBytes("10,000 nested installs inside one guest call", Calls, static pool =>
        pool.Install(pool, static p => NestedInstalls(p) + GuestMark() - 1), Sum(Calls), warmEachWorker: false);

    [Fact]
    public void Guest_InstallsIntoAnotherPool_FromAGuestCall_ZeroBytes()
    {
        using WorkStealingPool other = Pools.Create(2, test: "alloc-other");
        AssertZeroBytes("10,000 installs into another pool from one guest call", Calls, pool =>
            pool.Install((pool, other), static s => CrossPoolInstalls(s.other) + GuestMark() - 1), Sum(Calls), warmEachWorker: false);
    }

    private sealed class WorkerRun
    {
        public Func<WorkStealingPool, object?, long>? Inner;
        public object? State;
        public long Result;
        public int Done;
    }

    private static readonly WorkerRun OneWorkerRun = new();

    /// <summary>
    /// Runs <paramref name="inner"/> in a job on a worker (a fire-and-forget spawn from outside,
    /// which only workers run) and waits for it by spinning, without allocating; fails on a hang.
    /// Already on a worker of <paramref name="pool"/> (the warm-up on each worker), runs it there.
    /// </summary>
    private static long RunOnAWorker(WorkStealingPool pool, Func<WorkStealingPool, object?, long> inner, object? state = null)
    {
        if (WorkStealingPool.Current == pool && WorkerMark() == 1)
        {
            return inner(pool, state);
        }

        WorkerRun run = OneWorkerRun;
        run.Inner = inner;
        run.State = state;
        Volatile.Write(ref run.Done, 0);
        pool.Spawn(new WorkerRunJob(pool, run));
        long deadline = Environment.TickCount64 + (long)Bounded.WaitLimit.TotalMilliseconds;
        SpinWait spinner = default;
        while (Volatile.Read(ref run.Done) == 0)
        {
            Assert.True(Environment.TickCount64 < deadline, "the job on a worker hung");
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return run.Result;
    }

    private readonly struct WorkerRunJob(WorkStealingPool pool, WorkerRun run) : IWork
    {
        public void Run(ForkContext context)
        {
            run.Result = run.Inner!(pool, run.State) + WorkerMark() - 1;
            Volatile.Write(ref run.Done, 1);
        }
    }

    /// <summary>A struct body that stores its mark.</summary>
    private struct MarkWork(Func<long> mark) : IWork
    {
        public long Mark;

        public void Run(ForkContext context) => Mark = mark();
    }

    /// <summary>A result-returning struct body that returns its mark.</summary>
    private readonly struct MarkResultWork(Func<long> mark) : IWork<long>
    {
        public long Run(ForkContext context) => mark();
    }
}
