using static WorkPool.Tests.AllocationProbe;

namespace WorkPool.Tests;

// Scope, Spawn and Broadcast: exactly 0 bytes process-wide after warm-up (see AllocationTests).
public partial class AllocationTests
{
    private const int Scopes = 1_000;
    private const int SpawnsPerScope = 100;
    private const int DetachedSpawns = 10_000;
    private const int Broadcasts = 1_000;

    /// <summary>
    /// The caller's spawn cache grows to the most jobs it ever had in flight at once, at most the
    /// ring's capacity plus one per worker; a small ring makes the warm-up reach that bound
    /// surely (with the default 1,024 slots, a measured round under load can go past the
    /// warm-up's peak).
    /// </summary>
    private const int SpawnRingCapacity = 64;

    /// <summary>Jobs run by <see cref="ScopesOfAllForms"/>: per group of four spawns, five jobs (one spawns another).</summary>
    private const long ScopeJobsOfAllForms = Scopes * (SpawnsPerScope / 4) * 5L;

    /// <summary>1,000 scopes × 100 spawns (and 25 nested ones): every spawn form (static lambda, state + static lambda, struct).</summary>
    private static long ScopesOfAllForms(WorkStealingPool pool)
    {
        Cells[0] = 0;
        for (int s = 0; s < Scopes; s++)
        {
            pool.Scope(Cells, static (cells, scope) =>
            {
                for (int i = 0; i < SpawnsPerScope / 4; i++)
                {
                    scope.Spawn(static _ => Interlocked.Increment(ref Cells[0]));
                    scope.Spawn(cells, static (c, _) => Interlocked.Increment(ref c[0]));
                    scope.Spawn(new CountingScopeJob(cells, nested: false));
                    scope.Spawn(new CountingScopeJob(cells, nested: true)); // counts, and spawns one more from its worker
                }
            });
        }

        return Cells[0];
    }

    [Fact]
    public void Scope_FromOutside_1000ScopesOf100Spawns_AllForms_ZeroBytes() => AssertZeroBytes(
        "Scope + Spawn (all forms) from an external thread", Scopes * SpawnsPerScope, ScopesOfAllForms, ScopeJobsOfAllForms);

    [Fact]
    public void Scope_FromWorker_1000ScopesOf100Spawns_AllForms_ZeroBytes() => AssertZeroBytes(
        "Scope + Spawn (all forms) inside a job on a worker", Scopes * SpawnsPerScope, static pool => RunOnAWorker(pool, static (p, _) => ScopesOfAllForms(p)), ScopeJobsOfAllForms);

    [Fact]
    public void Scope_StructBody_FromOutside_ZeroBytes() => AssertZeroBytes("Scope(ref IScopeWork)", Scopes * SpawnsPerScope, static pool =>
    {
        Cells[0] = 0;
        for (int s = 0; s < Scopes; s++)
        {
            var body = new SpawnManyBody(Cells);
            pool.Scope(ref body);
        }

        return Cells[0];
    }, Scopes * SpawnsPerScope);

    [Fact]
    public void FireAndForgetSpawn_FromOutside_AllForms_ZeroBytes() => AssertZeroBytes("Spawn (fire and forget) from an external thread", DetachedSpawns, static pool =>
    {
        Cells[1] = 0;
        for (int i = 0; i < DetachedSpawns / 2; i++)
        {
            pool.Spawn(static () => Interlocked.Increment(ref Cells[1]));
            pool.Spawn(new CountingWork(Cells, 1));
        }

        WaitForCount(DetachedSpawns);
        return Cells[1];
    }, DetachedSpawns, warmEachWorker: false, injectorCapacity: SpawnRingCapacity);

    [Fact]
    public void FireAndForgetSpawn_FromEveryWorker_StateForm_ZeroBytes() => AssertZeroBytes("Spawn(state, static lambda) from inside workers", DetachedSpawns, static pool =>
    {
        Cells[1] = 0;
        // Every worker spawns its share (each worker's job cache is used), then the jobs run.
        pool.Broadcast(pool, static (p, _) =>
        {
            for (int i = 0; i < DetachedSpawns / p.ThreadCount; i++)
            {
                p.Spawn(Cells, static c => Interlocked.Increment(ref c[1]));
            }
        });

        WaitForCount(DetachedSpawns);
        return Cells[1];
    }, DetachedSpawns, warmEachWorker: false, injectorCapacity: SpawnRingCapacity);

    [Fact]
    public void Broadcast_FromOutside_AllForms_ZeroBytes() => AssertZeroBytes("Broadcast (all forms) from an external thread", Broadcasts, static pool =>
    {
        Cells[0] = 0;
        for (int i = 0; i < Broadcasts / 2; i++)
        {
            pool.Broadcast(static _ => Interlocked.Increment(ref Cells[0]));
            pool.Broadcast(Cells, static (c, _) => Interlocked.Increment(ref c[0]));
        }

        var body = new CountingWork(Cells, 0);
        pool.Broadcast(ref body);
        return Cells[0];
    }, (Broadcasts + 1) * 2L, warmEachWorker: false);

    [Fact]
    public void Broadcast_FromEveryWorker_ZeroBytes() => AssertZeroBytes("Broadcast from inside workers (nested in a broadcast)", Broadcasts, static pool =>
    {
        Cells[0] = 0;
        // Each outer broadcast makes every worker broadcast 5 times: every worker's own request is used.
        for (int i = 0; i < Broadcasts / (5 * 2); i++)
        {
            pool.Broadcast(pool, static (p, _) =>
            {
                for (int k = 0; k < 5; k++)
                {
                    p.Broadcast(static _ => Interlocked.Increment(ref Cells[0]));
                }
            });
        }

        return Cells[0];
    }, Broadcasts * 2L, warmEachWorker: false);

    /// <summary>Busy-waits (no allocation) until the fire-and-forget jobs counted in cell 1 reach <paramref name="count"/>.</summary>
    private static void WaitForCount(long count)
    {
        long deadline = Environment.TickCount64 + (long)Bounded.WaitLimit.TotalMilliseconds;
        SpinWait spinner = default;
        while (Volatile.Read(ref Cells[1]) < count)
        {
            Assert.True(Environment.TickCount64 < deadline, "fire-and-forget jobs did not all run");
            Bounded.Pause(ref spinner);
        }
    }

    private readonly struct CountingScopeJob(long[] cells, bool nested) : IScopeWork
    {
        public void Run(Scope scope)
        {
            Interlocked.Increment(ref cells[0]);
            if (nested)
            {
                scope.Spawn(new CountingScopeJob(cells, nested: false));
            }
        }
    }

    private readonly struct SpawnManyBody(long[] cells) : IScopeWork
    {
        public void Run(Scope scope)
        {
            for (int i = 0; i < SpawnsPerScope; i++)
            {
                scope.Spawn(new CountingScopeJob(cells, nested: false));
            }
        }
    }

    /// <summary>Counts into cell <c>index</c> (1 for fire-and-forget jobs, 0 for broadcast bodies).</summary>
    private readonly struct CountingWork(long[] cells, int index) : IWork
    {
        public void Run(ForkContext context) => Interlocked.Increment(ref cells[index]);
    }
}
