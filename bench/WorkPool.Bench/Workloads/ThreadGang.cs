namespace WorkPool.Bench.Workloads;

/// <summary>
/// A fixed set of plain threads (not pool workers) that run one body at the same moment, once
/// per <see cref="RunOnce"/>: the external callers of <c>install_contended</c> and the busy
/// threads of <c>capacity</c>. The threads live across rounds, so a round creates nothing.
/// </summary>
internal sealed class ThreadGang : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Action<int> _body;
    private readonly Barrier _barrier;
    private volatile bool _stopping;

    /// <param name="threadCount">Number of threads.</param>
    /// <param name="body">Run by every thread once per round, with the thread's index.</param>
    internal ThreadGang(int threadCount, Action<int> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        _body = body;
        _barrier = new Barrier(threadCount + 1);
        _threads = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++)
        {
            int index = i;
            _threads[i] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"Gang-{i}" };
            _threads[i].Start();
        }
    }

    internal int ThreadCount => _threads.Length;

    /// <summary>Releases every thread into the body at once and returns when all have finished it.</summary>
    internal void RunOnce()
    {
        _barrier.SignalAndWait();
        _barrier.SignalAndWait();
    }

    public void Dispose()
    {
        _stopping = true;
        _barrier.SignalAndWait();
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        _barrier.Dispose();
    }

    private void Loop(int index)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            _body(index);
            _barrier.SignalAndWait();
        }
    }
}
