using System.Text;

namespace WorkPool.StressTests;

/// <summary>A one-line description of a pool's internal state, for hang reports.</summary>
internal static class PoolSnapshot
{
    /// <summary>
    /// Disposal state, injector fill, searching and sleeping counts, and per worker its sleep
    /// state (A awake, S sleeping, W woken) and deque length. Racy reads of live state: good
    /// enough to see what is stuck, never used for a decision.
    /// </summary>
    public static string Describe(string name, WorkStealingPool pool)
    {
        var text = new StringBuilder();
        text.Append(name).Append(": ").Append(pool.ThreadCount).Append(" workers, disposed=").Append(pool.IsDisposed)
            .Append(" shuttingDown=").Append(pool.IsShuttingDown)
            .Append(" injector=").Append(pool.Injector.Count + pool.InstallRing.Count).Append('/').Append(pool.Injector.Capacity)
            .Append(" searching=").Append(pool.Sleepers.SearchingCount)
            .Append(" sleeping=").Append(pool.Sleepers.SleepingCount)
            .Append(" workers=[");
        Participant[] workers = pool.Workers;
        for (int i = 0; i < workers.Length; i++)
        {
            int state = Volatile.Read(ref workers[i].SleepState.Value);
            text.Append(i == 0 ? "" : " ").Append(state switch
            {
                Sleepers.Awake => 'A',
                Sleepers.Sleeping => 'S',
                Sleepers.Woken => 'W',
                _ => '?',
            });
            int queued = workers[i].Deque.Count;
            if (queued != 0)
            {
                text.Append(':').Append(queued);
            }
        }

        return text.Append(']').ToString();
    }

    public static string Describe(WorkStealingPool[] pools) =>
        string.Join("\n", pools.Select((pool, i) => Describe($"pool {i}", pool)));
}
