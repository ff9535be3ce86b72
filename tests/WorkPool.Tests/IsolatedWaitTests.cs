namespace WorkPool.Tests;

/// <summary>
/// Isolated waits: a participant waiting on its own fork-join work (here a Join half another
/// worker took) does not run jobs from the injector ring, so they do not bury its wait. Those
/// jobs must then still reach an idle worker: the isolated waiter must neither take the wake-up
/// meant for them nor keep the other workers from being woken.
/// </summary>
public class IsolatedWaitTests
{
    [Fact]
    public void InjectedWork_ReachesAnIdleWorker_WhileWorker0WaitsIsolatedForItsStolenHalf() => Bounded.Run(() =>
    {
        // Worker 0 runs Join(A, B); A waits until another worker has taken B, B waits until a
        // fire-and-forget job from outside has run. So worker 0 waits (isolated) for B, the
        // worker running B waits for the injected job, and only the third worker, asleep, can
        // run it: the spawn's wake-up must reach it.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(3, o => o.SpinCount = 0);
        var bStarted = new Gate("B to start on another worker");
        var aReturned = new Gate("A to return");
        int injectedRan = 0;
        int bWorker = -1;
        Exception? joinError = null;
        var broadcaster = new Thread(() =>
        {
            try
            {
                pool.Broadcast(index =>
                {
                    if (index != 0)
                    {
                        return;
                    }

                    pool.Join(
                        () =>
                        {
                            bStarted.Wait();
                            aReturned.Signal();
                        },
                        () =>
                        {
                            bWorker = WorkStealingPool.CurrentWorkerIndex;
                            bStarted.Signal();
                            Bounded.Until(() => Volatile.Read(ref injectedRan) == 1, "the injected job to run on the idle worker");
                        });
                });
            }
#pragma warning disable CA1031 // Reported on the test thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                joinError = e;
            }
        })
        { IsBackground = true, Name = "broadcaster" };
        broadcaster.Start();

        aReturned.Wait();
        int idle = 3 - bWorker; // the worker that is neither 0 nor B's
        Bounded.Until(
            () => Volatile.Read(ref pool.Workers[0].SleepState.Value) == Sleepers.Sleeping
                && Volatile.Read(ref pool.Workers[idle].SleepState.Value) == Sleepers.Sleeping,
            "worker 0 (waiting for B) and the idle worker to sleep");
        int ranOn = -2;
        pool.Spawn(() =>
        {
            ranOn = WorkStealingPool.CurrentWorkerIndex;
            Volatile.Write(ref injectedRan, 1);
        });
        Assert.True(broadcaster.Join(Bounded.TestLimit), "the Join did not finish");
        Assert.True(joinError is null, joinError?.ToString());
        Assert.Equal(idle, ranOn);
    });
}
