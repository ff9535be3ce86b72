using System.Collections.Concurrent;

namespace WorkPool.Tests;

/// <summary>
/// The caller's execution context (its <see cref="AsyncLocal{T}"/> values) flows to every part of
/// its call, whichever thread runs the part (issue 22, defect 3: with one guest slot and two
/// concurrent Installs, the call that got the slot saw its caller's value and the one handed to a
/// worker saw none): the body through the ring, a Join half a worker took, a Scope's spawns, a
/// loop's pieces, an InstallAsync body and a broadcast's parts.
/// </summary>
public class ExecutionContextFlowTests
{
    private static readonly AsyncLocal<int> s_value = new();

    [Fact]
    public void TwoConcurrentInstalls_OneGuestSlot_EachSeesItsOwnCallersValue() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 1);
        var holding = new Gate("the first caller to hold the guest slot");
        var release = new Gate("the second caller to finish");
        int seenByGuest = -1;
        int seenByFallback = -1;
        int fallbackIndex = -2;
        var first = new Thread(() =>
        {
            s_value.Value = 100;
            pool.Install(() =>
            {
                seenByGuest = s_value.Value;
                holding.Signal();
                release.Wait();
            });
        });
        first.Start();
        holding.Wait();

        var second = new Thread(() =>
        {
            s_value.Value = 101;
            pool.Install(() =>
            {
                seenByFallback = s_value.Value;
                fallbackIndex = WorkStealingPool.CurrentWorkerIndex;
            });
        });
        second.Start();
        Assert.True(second.Join(Bounded.WaitLimit), "the second Install hung");
        release.Signal();
        Assert.True(first.Join(Bounded.WaitLimit), "the first Install hung");

        Assert.Equal(100, seenByGuest);
        Assert.Equal(101, seenByFallback);
        Assert.InRange(fallbackIndex, 0, pool.ThreadCount - 1);
    });

    [Fact]
    public void EveryPartAnotherThreadRuns_SeesTheCallersValue() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                AllParts(pool);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(Bounded.WaitLimit), "the caller hung");
        Assert.Null(failure);

        // The workers ran those parts under the caller's context, then went back to their own.
        Assert.Equal(0, pool.InstallAsync(static () => s_value.Value).AsTask().Result);
        int[] after = new int[pool.ThreadCount];
        pool.Broadcast(after, static (a, i) => a[i] = s_value.Value);
        Assert.All(after, v => Assert.Equal(0, v));
    });

    private static void AllParts(WorkStealingPool pool)
    {
        s_value.Value = 7;

        // A Join half that a worker takes: A does not end before B has run elsewhere.
        int bRan = 0;
        int seenB = -1;
        int bThread = Environment.CurrentManagedThreadId;
        pool.Join(
            () => Bounded.Until(() => Volatile.Read(ref bRan) == 1, "B to run on a worker"),
            () =>
            {
                seenB = s_value.Value;
                bThread = Environment.CurrentManagedThreadId;
                Volatile.Write(ref bRan, 1);
            });
        Assert.NotEqual(Environment.CurrentManagedThreadId, bThread);
        Assert.Equal(7, seenB);

        // A Scope's spawns, a loop's pieces, an async body, a broadcast's parts.
        var seen = new ConcurrentBag<int>();
        pool.Scope(scope =>
        {
            for (int i = 0; i < 200; i++)
            {
                scope.Spawn(_ =>
                {
                    Thread.SpinWait(500);
                    seen.Add(s_value.Value);
                });
            }
        });
        Assert.Equal(200, seen.Count);
        Assert.All(seen, v => Assert.Equal(7, v));

        bool offCaller = false;
        for (int round = 0; round < 50 && !offCaller; round++)
        {
            int[] values = new int[64];
            int[] threads = new int[64];
            pool.For(0, values.Length, i =>
            {
                Thread.SpinWait(5_000);
                values[i] = s_value.Value;
                threads[i] = Environment.CurrentManagedThreadId;
            });
            Assert.All(values, v => Assert.Equal(7, v));
            offCaller = threads.Any(t => t != Environment.CurrentManagedThreadId);
        }

        Assert.True(offCaller, "no loop piece ran on a worker in 50 loops");

        Assert.Equal(7, pool.InstallAsync(static () => s_value.Value).AsTask().Result);

        var broadcast = new ConcurrentBag<int>();
        pool.Broadcast(_ => broadcast.Add(s_value.Value));
        Assert.Equal(pool.ThreadCount, broadcast.Count);
        Assert.All(broadcast, v => Assert.Equal(7, v));
    }
}
