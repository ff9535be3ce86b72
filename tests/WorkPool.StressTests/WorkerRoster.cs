namespace WorkPool.StressTests;

/// <summary>Records each worker thread of a pool through OnWorkerStart/OnWorkerExit, to prove that none survives Dispose.</summary>
internal sealed class WorkerRoster
{
    private readonly Thread?[] _threads;
    private readonly int[] _starts;
    private readonly int[] _exits;

    public WorkerRoster(int threads)
    {
        _threads = new Thread?[threads];
        _starts = new int[threads];
        _exits = new int[threads];
    }

    public void Attach(WorkStealingPoolOptions options)
    {
        options.OnWorkerStart = i =>
        {
            _threads[i] = Thread.CurrentThread;
            Interlocked.Increment(ref _starts[i]);
        };
        options.OnWorkerExit = i => Interlocked.Increment(ref _exits[i]);
    }

    /// <summary>After Dispose returned: every worker started once, exited once, and its thread is dead.</summary>
    public void AssertAllExited(string name, string prefix)
    {
        for (int i = 0; i < _threads.Length; i++)
        {
            Assert.True(Volatile.Read(ref _starts[i]) == 1, $"{name}: worker {i} started {_starts[i]} times");
            Assert.True(Volatile.Read(ref _exits[i]) == 1, $"{name}: worker {i} exited {_exits[i]} times after Dispose returned");
            Thread? thread = Volatile.Read(ref _threads[i]);
            Assert.NotNull(thread);
            Assert.Equal($"{prefix}-{i}", thread.Name);
            Assert.False(thread.IsAlive, $"{name}: worker thread {thread.Name} is alive after Dispose returned");
        }
    }
}
