using System.Diagnostics;

namespace WorkPool;

/// <summary>
/// One of the pool's threads: it owns a <see cref="Thread"/> and holds one worker seat (a
/// <see cref="Participant"/>) from its start to its exit. Everything the thread does between the
/// two hooks is the seat's: this type only starts the thread, runs the user's start and exit
/// hooks around the seat's main loop, and lets Dispose join it.
/// </summary>
internal sealed class WorkerThread
{
    private readonly Participant _seat;
    private readonly WorkStealingPoolOptions _options;
    private readonly Thread _thread;

    internal WorkerThread(Participant seat, WorkStealingPoolOptions options)
    {
        Debug.Assert(!seat.IsGuest, "A worker thread holds a worker seat.");
        _seat = seat;
        _options = options;
        _thread = new Thread(Run, options.StackSize)
        {
            IsBackground = true,
            Name = $"{options.ThreadNamePrefix}-{seat.Index}",
        };
    }

    internal int ManagedThreadId => _thread.ManagedThreadId;

    /// <summary>Starts the thread. No ExecutionContext flows into it: workers belong to the pool, not to its creator.</summary>
    internal void Start() => _thread.UnsafeStart();

    /// <summary>Waits for the thread to exit (Dispose, after shutdown was requested).</summary>
    internal void Join() => _thread.Join();

    private unsafe void Run()
    {
        int stackMarker = 0;
        _seat.BeginWorkerThread((nuint)(&stackMarker));
        // Started without a context (UnsafeStart): what this captures is the default (see Job).
        Job.NoteDefaultContext();
        _options.OnWorkerStart?.Invoke(_seat.Index);

        _seat.RunUntilShutdown();

        // Shutdown was observed before this scan, and Dispose set it only after every guest had
        // left and every outside caller had finished publishing, so this sees every injected
        // job. Jobs that running jobs push later land on their own worker's deque, which that
        // worker drains itself.
        _seat.DrainAtExit();
        if (_options.OnWorkerExit is { } onExit)
        {
            onExit(_seat.Index);
            // What the hook spawned went to this worker's deque (or, when it was full, the ring,
            // which the last workers drain): run it before the thread ends, or it is lost.
            _seat.DrainAtExit();
        }
    }
}
