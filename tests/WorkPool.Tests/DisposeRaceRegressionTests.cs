namespace WorkPool.Tests;

/// <summary>Regression tests for races between Dispose and callers that the stress tests found.</summary>
public class DisposeRaceRegressionTests
{
    [Fact]
    public void Dispose_FromAJobRunByAWorkerWaitingForRoomInTheDisposedPoolsRing_Returns() => Bounded.Run(() =>
    {
        // A worker of A installs into B while B's two-slot ring is full, so it waits for room
        // and runs A's jobs meanwhile. One of those jobs disposes B (allowed: Dispose from a
        // worker of another pool). Dispose must not wait for the very thread that calls it: it
        // returns, and the waiting Install is refused with ObjectDisposedException.
        var release = new Gate("the test to release B's worker");
        var bOccupied = new Gate("B's worker to be occupied");
        var aboutToInstallIntoB = new Gate("A's worker to start its Install into B");
        // Not `using`: after a hang, disposing A would hang on A's stuck worker and hide the report.
        // No guest slots: the outside Installs below go through the rings to the workers (see
        // GuestDisposeTests for a guest waiting for room in another pool's ring).
        var a = Pools.CreateWithoutGuests(1, o => o.SpinCount = 0);
        var b = Pools.CreateWithoutGuests(1, o =>
        {
            o.InjectorCapacity = 2;
            o.SpinCount = 0;
        });
        var outcomes = new string[6];

        Bounded.Threads(6, t =>
        {
            switch (t)
            {
                case 0:
                    // Occupies B's only worker until released.
                    b.Install(() =>
                    {
                        bOccupied.Signal();
                        release.Wait();
                    });
                    outcomes[t] = "completed";
                    break;
                case 1:
                case 2:
                    // Fill B's ring.
                    bOccupied.Wait();
                    b.Install(static () => { });
                    outcomes[t] = "completed";
                    break;
                case 3:
                    // A's worker installs into B's full ring and waits for room.
                    Bounded.Until(() => b.InstallRing.Count == 2, "B's ring to fill up");
                    try
                    {
                        a.Install(() =>
                        {
                            aboutToInstallIntoB.Signal();
                            b.Install(static () => { });
                        });
                        outcomes[t] = "completed";
                    }
                    catch (ObjectDisposedException)
                    {
                        outcomes[t] = "refused";
                    }

                    break;
                case 4:
                    // Once A's worker waits (asleep in A while B's ring is full), dispose B from a job of A.
                    aboutToInstallIntoB.Wait();
                    Bounded.Until(() => Volatile.Read(ref a.Workers[0].SleepState.Value) == Sleepers.Sleeping, "A's worker to wait for room in B's ring");
                    a.Install(() => b.Dispose());
                    outcomes[t] = "completed";
                    break;
                default:
                    // Let B's worker go once Dispose has started (it joins that worker).
                    Bounded.Until(() => b.IsDisposed, "B's Dispose to start");
                    release.Signal();
                    outcomes[t] = "completed";
                    break;
            }
        });

        Assert.Equal(["completed", "completed", "completed"], outcomes[..3]);
        Assert.Contains(outcomes[3], new[] { "completed", "refused" });
        Assert.Equal("completed", outcomes[4]);
        Assert.True(b.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => b.Install(static () => { }));
        Assert.Equal(7, a.Install(static () => 7));
        a.Dispose();
    });
}
