namespace WorkPool.StressTests;

/// <summary>
/// A side thread that forces full, compacting, blocking garbage collections every few
/// milliseconds while a scenario runs: objects move under Join bodies that thieves run in place
/// on other threads' stacks, under job slots, rings and parked threads.
/// </summary>
internal sealed class GcHammer : IDisposable
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private int _collections;

    public GcHammer(int periodMilliseconds = 4)
    {
        _thread = new Thread(() =>
        {
            // The wait is the stop signal with a period (pacing), not synchronization.
            while (!_stop.Wait(periodMilliseconds))
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                _collections++;
            }
        })
        {
            IsBackground = true,
            Name = "stress-gc-hammer",
        };
        _thread.Start();
    }

    /// <summary>Number of forced collections so far (read after <see cref="Dispose"/> for the exact count).</summary>
    public int Collections => Volatile.Read(ref _collections);

    public void Dispose()
    {
        _stop.Set();
        if (!_thread.Join(StressSettings.HangGrace))
        {
            throw new InvalidOperationException("The GC hammer thread did not stop.");
        }

        _stop.Dispose();
    }
}
