using System.Threading.Tasks.Sources;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>install_async</c>: an async loop on .NET thread-pool threads (the callers of a service)
/// that awaits one empty <c>pool.InstallAsync(static s => ..., state)</c> after another, against
/// <c>await Task.Run(static () => { })</c>. One operation is one await.
/// </summary>
/// <remarks>
/// The loop is one async method that lives across rounds: each <see cref="RunRound"/> releases
/// it through a reusable completion source of its own and waits for it, so its state machine is
/// allocated once (warm-up) and a round allocates only what the awaited operations allocate.
/// </remarks>
internal sealed class AsyncInstalls : IValueTaskSource<bool>, IDisposable
{
    private readonly ManualResetEventSlim _done = new();
    private readonly WorkStealingPool? _pool;
    private readonly int _awaitsPerRound;
    private ManualResetValueTaskSourceCore<bool> _start = new() { RunContinuationsAsynchronously = true };
    private long _sum;
    private Exception? _error;
    private bool _stopping;

    private AsyncInstalls(WorkStealingPool? pool, int awaitsPerRound)
    {
        _pool = pool;
        _awaitsPerRound = awaitsPerRound;
        // Warm the event's blocking path (its lock and the waiter behind it are created on the
        // first wait that blocks), so the measured rounds see only the awaited operations.
        _done.Wait(TimeSpan.FromMilliseconds(1));
        _ = Loop();
    }

    /// <summary>The loop over <c>await pool.InstallAsync(i, static s => ...)</c>.</summary>
    internal static AsyncInstalls ForWorkPool(WorkStealingPool pool, int awaitsPerRound) => new(pool, awaitsPerRound);

    /// <summary>The loop over <c>await Task.Run(static () => { })</c>.</summary>
    internal static AsyncInstalls ForTpl(int awaitsPerRound) => new(null, awaitsPerRound);

    /// <summary>Runs one round of awaits on the .NET thread pool and waits for it; throws if an await threw or returned a wrong value.</summary>
    internal void RunRound()
    {
        _done.Reset();
        _start.SetResult(true);
        _done.Wait();
        if (_error is { } error)
        {
            throw new InvalidOperationException("An await of install_async failed.", error);
        }

        long expected = _pool is null ? 0 : (long)_awaitsPerRound * (_awaitsPerRound - 1) / 2;
        if (_sum != expected)
        {
            throw new InvalidOperationException($"install_async summed {_sum}, expected {expected}.");
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _done.Reset();
        _start.SetResult(false);
        _done.Wait();
        _done.Dispose();
    }

    private async Task Loop()
    {
        while (await new ValueTask<bool>(this, _start.Version))
        {
            try
            {
                long sum = 0;
                if (_pool is { } pool)
                {
                    for (int i = 0; i < _awaitsPerRound; i++)
                    {
                        sum += await pool.InstallAsync(i, static s => (long)s);
                    }
                }
                else
                {
                    for (int i = 0; i < _awaitsPerRound; i++)
                    {
                        await Task.Run(static () => { });
                    }
                }

                _sum = sum;
            }
#pragma warning disable CA1031 // Reported by RunRound on the benchmark thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _error = e;
            }

            _done.Set();
        }

        if (_stopping)
        {
            _done.Set();
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        bool result = _start.GetResult(token);
        _start.Reset();
        return result;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _start.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _start.OnCompleted(continuation, state, token, flags);
}
