namespace WorkPool;

public sealed partial class WorkStealingPool
{
    private PoolTaskScheduler? _taskScheduler;

    /// <summary>
    /// A <see cref="System.Threading.Tasks.TaskScheduler"/> whose tasks run on this pool's
    /// workers: <c>Task.Factory.StartNew(work, ct, options, pool.TaskScheduler)</c>,
    /// <c>ContinueWith(..., pool.TaskScheduler)</c> and libraries that take a scheduler run their
    /// tasks here, and inside such a task <see cref="TaskScheduler.Current"/> is this scheduler.
    /// </summary>
    /// <remarks>
    /// Tasks allocate by nature (the <see cref="Task"/>, its delegate and closure, its
    /// continuations): use this to run existing Task code on the pool, and the pool's own forms
    /// (<see cref="Install(Action)"/>, <see cref="InstallAsync(Action, CancellationToken)"/>,
    /// <see cref="Spawn(Action)"/>) where allocation matters. A task is inlined (run on a thread
    /// that waits for it) only on a participant of this pool. Tasks queued before
    /// <see cref="Dispose"/> run before it returns; queuing a task after it throws
    /// <see cref="ObjectDisposedException"/>, so the task faults with a
    /// <see cref="TaskSchedulerException"/> (and a continuation scheduled here faults the same
    /// way) instead of never running. <see cref="TaskScheduler.MaximumConcurrencyLevel"/> is
    /// <see cref="ThreadCount"/>. <c>TaskCreationOptions.LongRunning</c> gets no dedicated
    /// thread: the task occupies a worker while it runs.
    /// </remarks>
    public TaskScheduler TaskScheduler
    {
        get
        {
            PoolTaskScheduler? scheduler = Volatile.Read(ref _taskScheduler);
            if (scheduler is null)
            {
                Interlocked.CompareExchange(ref _taskScheduler, new PoolTaskScheduler(this), null);
                scheduler = _taskScheduler;
            }

            return scheduler;
        }
    }
}
