namespace WorkPool.Tests;

/// <summary>
/// The packed countdown word of scopes and broadcasts: its fields are independent of each other,
/// and its protocol wakes the owner once, after the last completion, however completions and the
/// owner's parking interleave.
/// </summary>
public class ParkingCountTests
{
    [Fact]
    public void Fields_DoNotDisturbEachOther_AtTheirLimits()
    {
        var full = new ParkingCount(uint.MaxValue, ParkingCount.MaxPending);
        Assert.Equal(uint.MaxValue, full.Generation);
        Assert.Equal(ParkingCount.MaxPending, full.Pending);
        Assert.False(full.WaiterParked);

        ParkingCount parked = full.WithWaiterParked();
        Assert.Equal((uint.MaxValue, ParkingCount.MaxPending, true), (parked.Generation, parked.Pending, parked.WaiterParked));

        ParkingCount emptied = parked.WithPending(0);
        Assert.Equal((uint.MaxValue, 0, true), (emptied.Generation, emptied.Pending, emptied.WaiterParked));

        ParkingCount refilled = new ParkingCount(7, 0).WithPending(ParkingCount.MaxPending);
        Assert.Equal((7u, ParkingCount.MaxPending, false), (refilled.Generation, refilled.Pending, refilled.WaiterParked));
    }

    [Fact]
    public void NextGeneration_ClearsTheFlag_AndWraps()
    {
        ParkingCount next = new ParkingCount(41, 0).WithWaiterParked().NextGeneration();
        Assert.Equal(new ParkingCount(42, 0), next);
        Assert.False(next.WaiterParked);
        Assert.Equal(new ParkingCount(0, 0), new ParkingCount(uint.MaxValue, 0).NextGeneration());
    }

    [Fact]
    public void Protocol_OnOneThread_RegistersOnlyWhilePending_AndTheLastCompletionUnparks()
    {
        var owner = new Parker();
        var count = new ParkingCount[] { new(generation: 3, pending: 2) };
        Assert.True(ParkingCount.TryRegisterWaiter(ref count[0]));
        Assert.True(count[0].WaiterParked);

        ParkingCount.Complete(ref count[0], owner);
        Assert.False(ParkingCount.IsZero(ref count[0]));
        ParkingCount.Complete(ref count[0], owner);
        Assert.True(ParkingCount.IsZero(ref count[0]));
        Assert.Equal(3u, count[0].Generation);

        // The last completion saw the flag and left a permit: this Park returns at once.
        Bounded.Run(owner.Park);
        ParkingCount.UnregisterWaiter(ref count[0]);
        Assert.Equal(new ParkingCount(3, 0), count[0]);
        Assert.False(ParkingCount.TryRegisterWaiter(ref count[0]));
        Assert.False(count[0].WaiterParked);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(8, 1)]
    public void ManyCompleters_OwnerParks_WokenOnceEveryCountIsDone(int completers, int countsEach) => Bounded.Run(() =>
    {
        // More threads than cores; the owner parks whenever it may, so a lost wake-up hangs the
        // round (caught by the bound) and an early one fails the done-count check.
        const int Rounds = 300;
        var owner = new Parker();
        var count = new ParkingCount[1];
        int[] done = new int[1];
        for (int round = 0; round < Rounds; round++)
        {
            done[0] = 0;
            ParkingCount.VolatileWrite(ref count[0], new ParkingCount((uint)round, completers * countsEach));
            Bounded.Threads(completers + 1, t =>
            {
                if (t < completers)
                {
                    for (int i = 0; i < countsEach; i++)
                    {
                        Interlocked.Increment(ref done[0]);
                        ParkingCount.Complete(ref count[0], owner);
                    }

                    return;
                }

                while (!ParkingCount.IsZero(ref count[0]))
                {
                    if (ParkingCount.TryRegisterWaiter(ref count[0]))
                    {
                        owner.Park();
                        ParkingCount.UnregisterWaiter(ref count[0]);
                    }
                }

                Assert.Equal(completers * countsEach, Volatile.Read(ref done[0]));
            });
            Assert.Equal(new ParkingCount((uint)round, 0), count[0]);
        }
    });
}
