using System.Runtime.CompilerServices;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// What a guest call keeps to itself. A guest runs on the caller's own thread (a UI or main
/// thread), so its waits never run another caller's Install or spawn from the rings; and what
/// belongs to the thread rather than to the guest slot (its statistics slots in other pools) is
/// never shared with the slot's later occupants.
/// </summary>
public class GuestIsolationTests
{
    /// <summary>
    /// One blocked worker, one guest slot, a ring of two: the guest's third spawn waits for room.
    /// Another thread's Install, refused a guest slot, goes to the install ring meanwhile; it must
    /// run on the worker once that is free, never on the waiting guest's thread.
    /// </summary>
    [Fact]
    public void GuestWaitingForRingRoom_NeverRunsAnotherCallersInstall() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1, o => { o.GuestSlots = 1; o.InjectorCapacity = 2; o.SpinCount = 0; });
        var release = new Gate("the test to release the worker");
        var workerBlocked = new Gate("the worker to take the blocking job");
        // From a plain thread with the guest slot free, a spawn still goes through the ring to the worker.
        pool.Spawn(() =>
        {
            workerBlocked.Signal();
            release.Wait();
        });
        workerBlocked.Wait();

        var inBody = new Gate("the guest to be in its call");
        var spawnMore = new Gate("the test to let the guest spawn its third job");
        int guestThread = -1;
        int spawnsRan = 0;
        var guest = new Thread(() => pool.Install(() =>
        {
            guestThread = Environment.CurrentManagedThreadId;
            Assert.InRange(WorkStealingPool.CurrentWorkerIndex, pool.ThreadCount, pool.ParticipantCount - 1);
            inBody.Signal();
            for (int i = 0; i < 3; i++)
            {
                if (i == 2)
                {
                    spawnMore.Wait();
                }

                pool.Spawn(() => Interlocked.Increment(ref spawnsRan)); // the third waits for room
            }
        }))
        { IsBackground = true, Name = "guest" };
        guest.Start();
        inBody.Wait();

        int installThread = -1;
        var installer = new Thread(() => pool.Install(() => installThread = Environment.CurrentManagedThreadId))
        { IsBackground = true, Name = "installer" };
        installer.Start();
        Bounded.Until(() => pool.InstallRing.Count == 1, "the other caller's Install to reach the install ring");

        spawnMore.Signal();
        Parker guestParker = pool.Participants[pool.ThreadCount].Context.Parker;
        // Either the guest took the Install (the defect), or it found nothing it may run and parked.
        Bounded.Until(() => Volatile.Read(ref installThread) != -1 || guestParker.IsParked, "the guest to run the Install or to park");
        release.Signal();
        Assert.True(guest.Join(Bounded.WaitLimit), "the guest's call hung");
        Assert.True(installer.Join(Bounded.WaitLimit), "the other caller's Install hung");
        Assert.NotEqual(guestThread, installThread);
        pool.Dispose();
        Assert.Equal(3, spawnsRan);
    });

    /// <summary>
    /// Threads that install into pool B both from their own context and from inside a guest call
    /// of pool A: each has its own outside slot in B, and B's totals are exact (the slot claimed
    /// by a guest call was cached in the guest slot's context, which every later occupant shared:
    /// counts were misattributed, and lost when two threads wrote one slot).
    /// </summary>
    [Fact]
    public void OutsideSlotsInAnotherPool_BelongToThreads_NotToGuestSlots() => Bounded.Run(() =>
    {
        const int Threads = 4;
        const int Calls = 2_000;
        using WorkStealingPool a = Pools.Create(1, o => o.GuestSlots = 1, test: "guest-stats-a");
        using WorkStealingPool b = Pools.CreateWithoutGuests(1, test: "guest-stats-b");
        var callerIds = new int[Threads];
        var throughA = new StrongBox<int>();
        Bounded.Threads(Threads, t =>
        {
            callerIds[t] = Environment.CurrentManagedThreadId;
            for (int i = 0; i < Calls; i++)
            {
                a.Install((a, b, throughA), static s =>
                {
                    if (WorkStealingPool.CurrentWorkerIndex >= s.a.ThreadCount)
                    {
                        Interlocked.Increment(ref s.throughA.Value);
                    }

                    s.b.Install(static () => { });
                });
                b.Install(static () => { });
            }
        });

        PoolStatistics stats = b.GetStatistics();
        Assert.Equal(2L * Threads * Calls, stats.Total.Installs);
        ThreadStatistics[] rows = stats.OutsideThreads.ToArray();
        Assert.Equal(rows.Length, rows.Select(r => r.ManagedThreadId).Distinct().Count());
        foreach (int id in callerIds)
        {
            ThreadStatistics row = Assert.Single(rows, r => r.ManagedThreadId == id);
            // Its own direct calls at least; its calls from inside a guest call of A too.
            Assert.InRange(row.Installs, Calls, 2L * Calls);
        }

        Assert.True(throughA.Value > 0, "no call ran as a guest of A");
    });
}
