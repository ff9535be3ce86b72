using WorkPool;

namespace Samples;

public static class ScopesAndSpawns
{
    // <snippet:scope>
    public static long SumOfSquares(WorkStealingPool pool, int[] items)
    {
        var total = new long[1];
        // The state comes first in every state form: (state, scope), like For's (state, i).
        pool.Scope((items, total), static (s, scope) =>
        {
            foreach (int item in s.items)
            {
                scope.Spawn(new SquareJob(item, s.total));   // a struct job: 0 B
            }
        });
        return total[0];   // Scope returned: every spawned job has run
    }

    private readonly struct SquareJob(int item, long[] total) : IScopeWork
    {
        public void Run(Scope scope) => Interlocked.Add(ref total[0], (long)item * item);
    }
    // </snippet:scope>

    // <snippet:spawn-broadcast>
    public static int SpawnThenBroadcast(WorkStealingPool pool)
    {
        var perWorker = new int[pool.ThreadCount];

        // Fire and forget: runs once, later, on some worker; nobody waits for it.
        using var ran = new CountdownEvent(1);
        pool.Spawn(ran, static ran => ran.Signal());
        ran.Wait();

        // Once on every worker, with its index; returns when all of them ran.
        pool.Broadcast(perWorker, static (counts, index) => counts[index]++);
        return perWorker.Sum();   // == pool.ThreadCount
    }
    // </snippet:spawn-broadcast>
}
