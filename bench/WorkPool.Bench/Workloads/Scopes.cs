namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>scope_spawn</c>: one scope that spawns 1,000 jobs, each doing
/// <c>Interlocked.Add(ref counter, Work(i) &amp; 1)</c>, then waits; against 1,000 × <c>Task.Run</c>
/// + <c>Task.WaitAll</c>.
/// </summary>
internal static class Scopes
{
    /// <summary>Jobs per scope.</summary>
    internal const int JobsPerScope = 1_000;

    /// <summary>What the counter gains in one scope (the jobs add <c>Work(i) &amp; 1</c>).</summary>
    internal static long ExpectedPerScope { get; } = Enumerable.Range(0, JobsPerScope).Sum(i => (long)(WorkFunction.Work((ulong)i) & 1));

    /// <summary>One scope on the pool from the calling (external) thread, through the allocation-free struct forms.</summary>
    internal static long WorkPool(WorkStealingPool pool)
    {
        // The counter is reused (the calls run one at a time), so the operation allocates nothing itself.
        s_counter[0] = 0;
        var body = new SpawnAll(s_counter);
        pool.Scope(ref body);
        return s_counter[0];
    }

    private static readonly long[] s_counter = new long[1];

    /// <summary>The TPL counterpart: 1,000 <c>Task.Run</c> and one <c>Task.WaitAll</c>.</summary>
    internal static long Tpl(Task[] tasks)
    {
        long[] counter = new long[1];
        for (int i = 0; i < tasks.Length; i++)
        {
            ulong index = (ulong)i;
            tasks[i] = Task.Run(() => Interlocked.Add(ref counter[0], (long)(WorkFunction.Work(index) & 1)));
        }

        Task.WaitAll(tasks);
        return counter[0];
    }

    /// <summary>The jobs of one scope run one after another on the calling thread (the sweep's sequential line).</summary>
    internal static long Sequential()
    {
        s_counter[0] = 0;
        for (int i = 0; i < JobsPerScope; i++)
        {
            Interlocked.Add(ref s_counter[0], (long)(WorkFunction.Work((ulong)i) & 1));
        }

        return s_counter[0];
    }

    private readonly struct SpawnAll(long[] counter) : IScopeWork
    {
        public void Run(Scope scope)
        {
            for (int i = 0; i < JobsPerScope; i++)
            {
                scope.Spawn(new AddWork(counter, (ulong)i));
            }
        }
    }

    private readonly struct AddWork(long[] counter, ulong index) : IScopeWork
    {
        public void Run(Scope scope) => Interlocked.Add(ref counter[0], (long)(WorkFunction.Work(index) & 1));
    }
}
