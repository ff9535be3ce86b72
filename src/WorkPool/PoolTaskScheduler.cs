namespace WorkPool;

/// <summary>
/// The <see cref="TaskScheduler"/> of <see cref="WorkStealingPool.TaskScheduler"/>: its tasks run
/// on the pool's workers, each queued as a fire-and-forget job (see
/// <see cref="WorkStealingPool.Spawn{TWork}(TWork)"/>), so Task-based code and libraries that
/// take a scheduler run on the pool.
/// </summary>
/// <remarks>
/// <para>Inlining (<see cref="TryExecuteTaskInline"/>) happens only on a participant of this
/// pool (a worker, or a thread inside a guest call), so a task never runs on a thread outside
/// the pool; there it runs the task even when it was queued before (<c>Task.Wait</c> on a
/// worker then runs the task instead of blocking the worker behind it), and the job queued for
/// it later finds it done: <see cref="TaskScheduler.TryExecuteTask"/> runs a task once.</para>
/// <para><see cref="GetScheduledTasks"/> returns null (the debugger then shows no list): queued
/// tasks sit in the workers' lock-free deques and the injector ring, which cannot be listed
/// without stopping the threads that take from them.</para>
/// </remarks>
internal sealed class PoolTaskScheduler(WorkStealingPool pool) : TaskScheduler
{
    /// <summary>The pool's worker count (a guest call may inline a task too, but only its own thread's).</summary>
    public override int MaximumConcurrencyLevel => pool.ThreadCount;

    /// <summary>Queues the task as a fire-and-forget job; throws <see cref="ObjectDisposedException"/> once the pool is disposed, which faults the task (a <see cref="TaskSchedulerException"/>) instead of leaving it waiting forever.</summary>
    protected override void QueueTask(Task task) => pool.Spawn(new RunTask(this, task));

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ThreadContext.CurrentOrNull?.Participant?.Pool == pool && TryExecuteTask(task);

    protected override IEnumerable<Task>? GetScheduledTasks() => null;

    private void Run(Task task) => TryExecuteTask(task);

    /// <summary>The job of one queued task (the task captures its own exceptions, so this never throws).</summary>
    private readonly struct RunTask(PoolTaskScheduler scheduler, Task task) : IWork
    {
        public void Run(ForkContext context) => scheduler.Run(task);
    }
}
