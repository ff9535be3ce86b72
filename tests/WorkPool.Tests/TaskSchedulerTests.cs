namespace WorkPool.Tests;

/// <summary>
/// pool.TaskScheduler under the usual scheduler contract: tasks run on workers (exactly once),
/// inlining only on a participant (a waiting worker runs the task it waits for), continuations
/// and awaits inside tasks, and tasks outliving a Dispose fault instead of hanging.
/// </summary>
public class TaskSchedulerTests
{
    [Fact]
    public void StartNew_RunsOnAWorker_WithThePoolsSchedulerCurrent() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        TaskScheduler scheduler = pool.TaskScheduler;
        Assert.Same(scheduler, pool.TaskScheduler);
        Assert.Equal(pool.ThreadCount, scheduler.MaximumConcurrencyLevel);
        Task<(WorkStealingPool?, int, TaskScheduler)> task = Task.Factory.StartNew(
            static () => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex, TaskScheduler.Current),
            CancellationToken.None,
            TaskCreationOptions.None,
            scheduler);
        Assert.True(task.Wait(Bounded.WaitLimit));
        (WorkStealingPool? where, int index, TaskScheduler current) = task.Result;
        Assert.Same(pool, where);
        Assert.InRange(index, 0, pool.ThreadCount - 1);
        Assert.Same(scheduler, current);
    });

    [Fact]
    public void ManyTasks_EachRunsExactlyOnce() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        const int Count = 2_000;
        int[] runs = new int[Count];
        var tasks = new Task[Count];
        for (int i = 0; i < Count; i++)
        {
            int index = i;
            tasks[i] = Task.Factory.StartNew(() => Interlocked.Increment(ref runs[index]), CancellationToken.None, TaskCreationOptions.None, pool.TaskScheduler);
        }

        Assert.True(Task.WaitAll(tasks, Bounded.WaitLimit));
        Assert.All(runs, static r => Assert.Equal(1, r));
    });

    [Fact]
    public void WaitOnAWorker_InlinesTheQueuedTask_EvenWithOneWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        TaskScheduler scheduler = pool.TaskScheduler;
        Task<(int Outer, int Inner)> outer = Task.Factory.StartNew(
            () =>
            {
                Task<int> inner = Task.Factory.StartNew(static () => Environment.CurrentManagedThreadId, CancellationToken.None, TaskCreationOptions.None, scheduler);
                // The only worker waits for a task queued behind it: only inlining can run it.
                inner.Wait();
                return (Environment.CurrentManagedThreadId, inner.Result);
            },
            CancellationToken.None,
            TaskCreationOptions.None,
            scheduler);
        Assert.True(outer.Wait(Bounded.WaitLimit), "the worker waiting for its own task deadlocked");
        Assert.Equal(outer.Result.Outer, outer.Result.Inner);
    });

    [Fact]
    public void RunSynchronously_OutsideThePool_DoesNotInline_TheTaskRunsOnAWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        var task = new Task<int>(static () => WorkStealingPool.CurrentWorkerIndex);
        task.RunSynchronously(pool.TaskScheduler);
        Assert.InRange(task.Result, 0, pool.ThreadCount - 1);
    });

    [Fact]
    public void Continuations_AndAwaitsInsideTasks_StayOnThePool() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        TaskScheduler scheduler = pool.TaskScheduler;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> continuation = gate.Task.ContinueWith(static _ => WorkStealingPool.CurrentWorkerIndex, CancellationToken.None, TaskContinuationOptions.None, scheduler);
        gate.SetResult();
        Assert.True(continuation.Wait(Bounded.WaitLimit));
        Assert.InRange(continuation.Result, 0, pool.ThreadCount - 1);

        Task<int> awaiting = Task.Factory.StartNew(
            static async () =>
            {
                await Task.Yield();
                return WorkStealingPool.CurrentWorkerIndex;
            },
            CancellationToken.None,
            TaskCreationOptions.None,
            scheduler).Unwrap();
        Assert.True(awaiting.Wait(Bounded.WaitLimit));
        Assert.InRange(awaiting.Result, 0, pool.ThreadCount - 1);
    });

    [Fact]
    public void TaskExceptions_StayInTheTask_ThePoolKeepsWorking() => Bounded.Run(() =>
    {
        bool unhandled = false;
        using WorkStealingPool pool = Pools.Create(2, o => o.UnhandledException = _ => unhandled = true);
        Task failing = Task.Factory.StartNew(static () => throw new TestFailureException("in a task"), CancellationToken.None, TaskCreationOptions.None, pool.TaskScheduler);
        AggregateException e = Assert.Throws<AggregateException>(() => failing.Wait(Bounded.WaitLimit));
        Assert.IsType<TestFailureException>(e.InnerException);
        Assert.Equal(3, pool.Install(static () => 3));
        Assert.False(unhandled);
    });

    [Fact]
    public void TasksOutlivingDispose_QueuedBeforeRun_LaterOnesFault_NoneHangs() => Bounded.Run(() =>
    {
        WorkStealingPool pool = Pools.Create(2);
        TaskScheduler scheduler = pool.TaskScheduler;
        int[] runs = new int[1];
        var before = new Task[200];
        for (int i = 0; i < before.Length; i++)
        {
            before[i] = Task.Factory.StartNew(() => Interlocked.Increment(ref runs[0]), CancellationToken.None, TaskCreationOptions.None, scheduler);
        }

        var gate = new TaskCompletionSource();
        Task continuation = gate.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, scheduler);
        pool.Dispose();

        Assert.True(Task.WaitAll(before, Bounded.WaitLimit));
        Assert.Equal(before.Length, runs[0]);

        TaskSchedulerException started = Assert.Throws<TaskSchedulerException>(() =>
        {
            _ = Task.Factory.StartNew(static () => { }, CancellationToken.None, TaskCreationOptions.None, scheduler);
        });
        Assert.IsType<ObjectDisposedException>(started.InnerException);

        gate.SetResult();
        Assert.Throws<AggregateException>(() => continuation.Wait(Bounded.WaitLimit));
        Assert.True(continuation.IsFaulted);
        Assert.IsType<TaskSchedulerException>(continuation.Exception!.InnerException);
    });
}
