namespace WorkPool.Tests;

/// <summary>
/// The token forms of Install, Join, Spawn and Broadcast: a token canceled before the call runs
/// nothing and throws <see cref="OperationCanceledException"/> with that token; work that has not
/// started when it is canceled is skipped, wherever it waits; work that has started runs on.
/// </summary>
public class CancellationTokenTests
{
    [Fact]
    public void CanceledBeforeTheCall_NothingRuns_EveryForm() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        CancellationToken token = cts.Token;
        int ran = 0;
        var work = new CountingWork(new int[1]);

        void Canceled(Action call) => Assert.Equal(token, Assert.Throws<OperationCanceledException>(call).CancellationToken);

        // Install(action, token) binds to the token form (it used to bind to Install(state, action)).
        Canceled(() => pool.Install(() => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Install(() => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Install(() => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Install(1, s => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Install(1, s => Interlocked.Increment(ref ran) + s, token));
        Canceled(() => pool.Install(ref work, token));
        Canceled(() => pool.Install<ResultWork, int>(new ResultWork(), token));
        Canceled(() => pool.Join(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Join(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Join(1, s => Interlocked.Increment(ref ran), s => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Join(1, s => Interlocked.Increment(ref ran), s => Interlocked.Increment(ref ran), token));
        var other = new CountingWork(new int[1]);
        Canceled(() => pool.Join(ref work, ref other, token));
        Canceled(() => pool.Join<ResultWork, ResultWork, int, int>(default, default, token));
        Canceled(() => pool.Spawn(() => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Spawn(1, s => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Spawn(work, token));
        Canceled(() => pool.Broadcast(_ => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Broadcast(1, (s, _) => Interlocked.Increment(ref ran), token));
        Canceled(() => pool.Broadcast(ref work, token));
        Canceled(() => ForkJoin.Install(() => Interlocked.Increment(ref ran), token));
        Canceled(() => ForkJoin.Join(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran), token));
        Canceled(() => ForkJoin.Broadcast(_ => Interlocked.Increment(ref ran), token));
        Canceled(() => ForkJoin.Spawn(() => Interlocked.Increment(ref ran), token));
        Assert.Equal(0, ran);
        Assert.Equal(0, work.Count[0] + other.Count[0]);
    });

    [Fact]
    public void Scope_CanceledBeforeTheCall_BodyDoesNotRun_FromOutsideAndFromAWorker() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        CancellationToken token = cts.Token;
        int[] ran = new int[1];
        var body = new CountingScopeBody(ran);

        void Canceled(Action call) => Assert.Equal(token, Assert.Throws<OperationCanceledException>(call).CancellationToken);

        void EveryForm()
        {
            Canceled(() => pool.Scope(s => { Interlocked.Increment(ref ran[0]); s.Spawn(_ => Interlocked.Increment(ref ran[0])); }, token));
            Canceled(() => pool.Scope(ran, static (r, s) => Interlocked.Increment(ref r[0]), token));
            Canceled(() => pool.Scope(ref body, token));
            Canceled(() => ForkJoin.Scope(s => Interlocked.Increment(ref ran[0]), token));
            Canceled(() => ForkJoin.Scope(ran, static (r, s) => Interlocked.Increment(ref r[0]), token));
            Canceled(() => ForkJoin.Scope(ref body, token));
        }

        EveryForm();
        pool.Install(EveryForm);
        Assert.Equal(0, ran[0]);
    });

    private struct CountingScopeBody(int[] ran) : IScopeWork
    {
        public readonly void Run(Scope scope) => Interlocked.Increment(ref ran[0]);
    }

    [Fact]
    public void NotCanceled_EveryFormRunsAndReturns() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        using var cts = new CancellationTokenSource();
        CancellationToken token = cts.Token;
        Assert.Equal(3, pool.Install(static () => 3, token));
        Assert.Equal(4, pool.Install(2, static s => s * 2, token));
        Assert.Equal(5, pool.Install<ResultWork, int>(new ResultWork(), token));
        Assert.Equal((1, 2), pool.Join(static () => 1, static () => 2, token));
        Assert.Equal((2, 3), pool.Join(1, static s => s + 1, static s => s + 2, token));
        Assert.Equal((5, 5), pool.Join<ResultWork, ResultWork, int, int>(default, default, token));
        var count = new int[1];
        var a = new CountingWork(count);
        var b = new CountingWork(count);
        pool.Join(ref a, ref b, token);
        pool.Install(ref a, token);
        Assert.Equal(3, count[0]);
        var parts = new int[pool.ThreadCount];
        pool.Broadcast(parts, static (p, i) => Interlocked.Increment(ref p[i]), token);
        Assert.All(parts, p => Assert.Equal(1, p));
        var spawned = new Gate("the spawned job");
        pool.Spawn(spawned, static s => s.Signal(), token);
        spawned.Wait();
    });

    [Fact]
    public void Install_CanceledWhileItWaitsForAWorker_IsSkipped() => Bounded.Run(() =>
    {
        // No guest slot: the work waits in the ring while the one worker is busy.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(1, o => o.SpinCount = 0);
        var release = new Gate("the test to release the worker");
        var blocked = new Gate("the worker to block");
        pool.Spawn(() =>
        {
            blocked.Signal();
            release.Wait();
        });
        blocked.Wait();

        using var cts = new CancellationTokenSource();
        int ran = 0;
        Exception? thrown = null;
        var caller = new Thread(() => thrown = Record.Exception(() => pool.Install(() => Interlocked.Increment(ref ran), cts.Token)));
        caller.Start();
        Bounded.Until(() => pool.InstallRing.Count == 1, "the work to wait in the install ring");
        cts.Cancel();
        release.Signal();
        Assert.True(caller.Join(Bounded.WaitLimit));
        Assert.Equal(cts.Token, Assert.IsType<OperationCanceledException>(thrown).CancellationToken);
        Assert.Equal(0, ran);
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Join_CanceledWhileARuns_BIsSkipped(bool fromWorker) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        Sides.On(pool, fromWorker, () =>
        {
            using var cts = new CancellationTokenSource();
            int aRan = 0;
            int bRan = 0;
            Assert.Throws<OperationCanceledException>(() => pool.Join(
                () =>
                {
                    aRan++;
                    cts.Cancel();
                },
                () => bRan++,
                cts.Token));
            Assert.Equal((1, 0), (aRan, bRan));

            // A's exception wins over the skipped B.
            using var again = new CancellationTokenSource();
            Assert.Throws<FormatException>(() => pool.Join(
                () =>
                {
                    again.Cancel();
                    throw new FormatException();
                },
                () => bRan++,
                again.Token));
            Assert.Equal(0, bRan);
        });
    });

    [Fact]
    public void Broadcast_CanceledByOnePart_ThePartsNotStartedAreSkipped() => Bounded.Run(() =>
    {
        // Workers 1 and 2 are held in a first broadcast's parts; worker 0's part of the second
        // broadcast cancels it; the held workers then skip their parts of the second one.
        using WorkStealingPool pool = Pools.Create(3);
        var held = new Gate("workers 1 and 2 to be held", 2);
        var release = new Gate("the test to release the held workers");
        var holder = new Thread(() => pool.Broadcast(index =>
        {
            if (index != 0)
            {
                held.Signal();
                release.Wait();
            }
        }));
        holder.Start();
        held.Wait();

        using var cts = new CancellationTokenSource();
        int othersRan = 0;
        Exception? thrown = null;
        var broadcaster = new Thread(() => thrown = Record.Exception(() => pool.Broadcast(index =>
        {
            if (index == 0)
            {
                cts.Cancel();
            }
            else
            {
                Interlocked.Increment(ref othersRan);
            }
        }, cts.Token)));
        broadcaster.Start();
        Bounded.Until(() => cts.IsCancellationRequested, "worker 0's part to cancel");
        release.Signal();
        Assert.True(broadcaster.Join(Bounded.WaitLimit));
        Assert.True(holder.Join(Bounded.WaitLimit));
        Assert.Equal(cts.Token, Assert.IsType<OperationCanceledException>(thrown).CancellationToken);
        Assert.Equal(0, othersRan);
    });

    [Fact]
    public void Spawn_CanceledBeforeItStarts_IsSkipped() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        var release = new Gate("the test to release the worker");
        var blocked = new Gate("the worker to block");
        using var cts = new CancellationTokenSource();
        int ran = 0;
        pool.Spawn(() =>
        {
            blocked.Signal();
            release.Wait();
        });
        blocked.Wait();
        pool.Spawn(() => Interlocked.Increment(ref ran), cts.Token);
        cts.Cancel();
        release.Signal();
        pool.Dispose();
        Assert.Equal(0, ran);
    });

    private struct CountingWork(int[] count) : IWork
    {
        public readonly int[] Count = count;

        public readonly void Run(ForkContext context) => Interlocked.Increment(ref Count[0]);
    }

    private readonly struct ResultWork : IWork<int>
    {
        public int Run(ForkContext context) => 5;
    }
}
