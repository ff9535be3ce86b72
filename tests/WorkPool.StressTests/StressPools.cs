namespace WorkPool.StressTests;

/// <summary>Pools for scenarios: named after the scenario, big stacks, workers recorded in a roster.</summary>
internal sealed class StressPools : IDisposable
{
    private readonly WorkerRoster[] _rosters;
    private readonly string[] _prefixes;

    /// <param name="scenario">Names the worker threads (<c>stress.{scenario}.{letter}-{i}</c>).</param>
    /// <param name="threads">Worker count of each pool.</param>
    /// <param name="configure">Further settings, given the pool's index.</param>
    public StressPools(string scenario, int[] threads, Action<int, WorkStealingPoolOptions>? configure = null)
    {
        All = new WorkStealingPool[threads.Length];
        _rosters = new WorkerRoster[threads.Length];
        _prefixes = new string[threads.Length];
        for (int i = 0; i < threads.Length; i++)
        {
            _prefixes[i] = $"stress.{scenario}.{(char)('A' + i)}";
            _rosters[i] = new WorkerRoster(threads[i]);
            var options = new WorkStealingPoolOptions
            {
                ThreadCount = threads[i],
                ThreadNamePrefix = _prefixes[i],
                StackSize = StressSettings.StackSize,
            };
            _rosters[i].Attach(options);
            configure?.Invoke(i, options);
            All[i] = new WorkStealingPool(options);
        }
    }

    public WorkStealingPool[] All { get; }

    /// <summary>Set when the scenario hung: disposing would wait for the stuck workers, so <see cref="Dispose"/> leaves the pools alone.</summary>
    public bool Abandoned { get; private set; }

    public void Abandon() => Abandoned = true;

    public string Describe() => PoolSnapshot.Describe(All);

    /// <summary>Disposes every pool (idempotent) and checks that no worker thread survived.</summary>
    public void Dispose()
    {
        if (Abandoned)
        {
            return;
        }

        foreach (WorkStealingPool pool in All)
        {
            pool.Dispose();
        }

        AssertAllWorkersExited();
    }

    public void AssertAllWorkersExited()
    {
        for (int i = 0; i < All.Length; i++)
        {
            Assert.True(All[i].IsDisposed);
            _rosters[i].AssertAllExited($"pool {i}", _prefixes[i]);
        }
    }
}
