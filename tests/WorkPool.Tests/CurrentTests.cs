namespace WorkPool.Tests;

/// <summary><see cref="WorkStealingPool.Current"/> and <see cref="WorkStealingPool.CurrentWorkerIndex"/>.</summary>
public class CurrentTests
{
    [Fact]
    public void Outside_NullAndMinusOne_BeforeAndAfterUsingAPool() => Bounded.Run(() =>
    {
        Assert.Null(WorkStealingPool.Current);
        Assert.Equal(-1, WorkStealingPool.CurrentWorkerIndex);
        Assert.Same(WorkStealingPool.Default, ForkJoin.CurrentPool);

        using WorkStealingPool pool = Pools.Create(2);
        pool.Install(static () => { });
        pool.Join(static () => { }, static () => { });

        // This thread now has its own context for waiting, but it is still not a worker.
        Assert.Null(WorkStealingPool.Current);
        Assert.Equal(-1, WorkStealingPool.CurrentWorkerIndex);
        Assert.Same(WorkStealingPool.Default, ForkJoin.CurrentPool);
    });

    [Fact]
    public void InsideALoopBody_OnTheCallingThread_CurrentIsTheLoopsPool_ForkJoinForksThere() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using WorkStealingPool other = Pools.Create(1);
        int callerThread = Environment.CurrentManagedThreadId;
        int onCaller = 0;
        var joinedOn = new WorkStealingPool?[64];
        pool.For(0, 64, i =>
        {
            // Every piece, on the caller or on a worker, sees the loop's pool.
            Assert.Same(pool, WorkStealingPool.Current);
            Assert.Same(pool, ForkJoin.CurrentPool);
            if (Environment.CurrentManagedThreadId == callerThread)
            {
                // The calling thread runs its pieces as a guest: a guest slot's index.
                Interlocked.Increment(ref onCaller);
                Assert.InRange(WorkStealingPool.CurrentWorkerIndex, pool.ThreadCount, pool.ParticipantCount - 1);
                // A loop of another pool inside switches, then restores.
                other.For(0, 2, static _ => Assert.NotNull(WorkStealingPool.Current));
                Assert.Same(pool, WorkStealingPool.Current);
            }

            ForkJoin.Join(() => joinedOn[i] = WorkStealingPool.Current, static () => { });
        });

        Assert.True(onCaller > 0, "the calling thread ran no piece of its loop");
        Assert.All(joinedOn, p => Assert.Same(pool, p));
        Assert.Null(WorkStealingPool.Current);
    });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void InsideAJob_ThePoolAndAValidIndexMatchingTheThreadName(int threads) => Bounded.Run(() =>
    {
        // No guest slots: every Install from outside runs on a worker (see GuestTests for guests).
        using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, o => o.ThreadNamePrefix = "cur");
        for (int i = 0; i < 200; i++)
        {
            (WorkStealingPool? current, int index, string? name, WorkStealingPool forkJoinPool) = pool.Install(static () =>
                (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex, Thread.CurrentThread.Name, ForkJoin.CurrentPool));
            Assert.Same(pool, current);
            Assert.Same(pool, forkJoinPool);
            Assert.InRange(index, 0, threads - 1);
            Assert.Equal($"cur-{index}", name);
        }
    });

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void BlockingJobsOnEveryWorker_SeeEveryIndexOnce(int threads) => Bounded.Run(() =>
    {
        // One job per worker, each blocking at a barrier until all have arrived: a worker in a
        // job cannot take a second one, so all of them must be taken by distinct workers. This
        // also proves that queued work wakes every sleeping worker it needs. No guest slots, so
        // the callers' Installs go to the workers.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(threads, o => o.SpinCount = 0);
        for (int round = 0; round < 3; round++)
        {
            int[] indices = Bursts.InstallTogether(pool, threads, "one job on every worker");
            Array.Sort(indices);
            Assert.Equal(Enumerable.Range(0, threads), indices);
        }
    });

    [Fact]
    public void CrossPool_CurrentFollowsTheThread() => Bounded.Run(() =>
    {
        using WorkStealingPool a = Pools.Create(1);
        using WorkStealingPool b = Pools.Create(1);
        a.Install(() =>
        {
            // A guest of A (this thread, outside every pool, took a guest slot of A)...
            Assert.Same(a, WorkStealingPool.Current);
            Assert.InRange(WorkStealingPool.CurrentWorkerIndex, a.ThreadCount, a.ParticipantCount - 1);
            // ... is a participant of another pool for B: B's only worker runs its Installs.
            Assert.Equal((b, 0), b.Install(static () => (WorkStealingPool.Current, WorkStealingPool.CurrentWorkerIndex)));
            Assert.Same(b, b.Install(static () => ForkJoin.CurrentPool));
            Assert.Same(a, WorkStealingPool.Current);
            Assert.Same(a, ForkJoin.CurrentPool);
        });
        Assert.Null(WorkStealingPool.Current);
    });
}
