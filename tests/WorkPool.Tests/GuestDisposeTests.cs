namespace WorkPool.Tests;

/// <summary>
/// Dispose and guest calls: Dispose from inside a guest call is refused like from a worker;
/// Dispose waits for guest calls in progress (whose shared halves still need the workers) and
/// refuses new ones; racing callers each complete exactly or get ObjectDisposedException.
/// </summary>
public class GuestDisposeTests
{
    [Fact]
    public void Dispose_FromInsideAGuestCall_ThrowsInvalidOperation_PoolKeepsWorking() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        Assert.Throws<InvalidOperationException>(() => pool.Install(() =>
        {
            Assert.True(Guests.IsGuestIndex(pool, WorkStealingPool.CurrentWorkerIndex));
            pool.Dispose();
        }));
        AggregateException both = Assert.Throws<AggregateException>(() => pool.Join(pool.Dispose, pool.Dispose));
        Assert.All(both.InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));
        Assert.Throws<InvalidOperationException>(() => pool.Scope(_ => pool.Dispose()));
        int caller = Environment.CurrentManagedThreadId;
        Assert.Throws<InvalidOperationException>(() => pool.For(0, 100, i =>
        {
            if (Environment.CurrentManagedThreadId == caller)
            {
                pool.Dispose();
            }
        }));
        Assert.False(pool.IsDisposed);
        Assert.Equal(Fib.Sequential(15), Fib.State(pool, 15));
        Assert.Equal(3, pool.Install(static () => 3));
    });

    [Fact]
    public void AfterDispose_GuestFormsFromOutside_ThrowObjectDisposed_NothingRuns() => Bounded.Run(() =>
    {
        var pool = Pools.Create(2);
        Assert.Equal(1, pool.Install(static () => 1));
        pool.Dispose();
        int ran = 0;
        Assert.Throws<ObjectDisposedException>(() => pool.Install(() => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.Join(() => ran++, () => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.Scope(_ => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.Scope(1, (_, _) => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.For(0, 10, _ => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.ForEach(new int[10], _ => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.Reduce(0, 10, 0, (acc, _) => acc + ++ran, static (a, b) => a + b));
        Assert.Throws<ObjectDisposedException>(() => pool.Spawn(() => ran++));
        Assert.Throws<ObjectDisposedException>(() => pool.Broadcast(_ => ran++));
        Assert.Equal(0, ran);
    });

    [Fact]
    public void Dispose_WaitsForAGuestCallInProgress_WhoseSharedHalfStillRunsOnAWorker() => Bounded.Run(() =>
    {
        var pool = Pools.Create(2);
        var inCall = new Gate("the guest call to start");
        var disposeReturned = new Gate("Dispose to return");
        (int A, int B) indices = (-2, -2);
        Bounded.Threads(2, t =>
        {
            if (t == 0)
            {
                pool.Install(() =>
                {
                    inCall.Signal();
                    Bounded.Until(() => pool.IsDisposed, "Dispose to start");
                    // Dispose has started but waits for this call: B still gets a worker, since
                    // A cannot finish before B has started.
                    int bStarted = 0;
                    indices = pool.Join(
                        () =>
                        {
                            Bounded.Until(() => Volatile.Read(ref bStarted) == 1, "B to start on a worker");
                            return WorkStealingPool.CurrentWorkerIndex;
                        },
                        () =>
                        {
                            Volatile.Write(ref bStarted, 1);
                            return WorkStealingPool.CurrentWorkerIndex;
                        });
                    Assert.False(disposeReturned.IsOpen, "Dispose returned while a guest call was in progress");
                });
            }
            else
            {
                inCall.Wait();
                pool.Dispose();
                disposeReturned.Signal();
            }
        });
        Assert.True(Guests.IsGuestIndex(pool, indices.A), $"A ran with index {indices.A}");
        Assert.InRange(indices.B, 0, pool.ThreadCount - 1);
        Assert.Throws<ObjectDisposedException>(() => pool.Install(static () => { }));
    });

    [Fact]
    public void OnceDisposeHasStarted_ANewCallFromOutside_IsRefused_EvenWhileAGuestCallIsInProgress() => Bounded.Run(() =>
    {
        // IsDisposed: "true once Dispose has started; every entry point then throws
        // ObjectDisposedException". Dispose here waits for a guest call that holds one slot;
        // the other slots are free meanwhile.
        var pool = Pools.Create(2, o => o.GuestSlots = 4);
        var inCall = new Gate("the guest call to start");
        var release = new Gate("the test to end the guest call");
        Thread holder = new(() => pool.Install(() =>
        {
            inCall.Signal();
            release.Wait();
        }))
        { IsBackground = true };
        holder.Start();
        inCall.Wait();
        var disposer = new Thread(pool.Dispose) { IsBackground = true };
        disposer.Start();
        try
        {
            Bounded.Until(() => pool.IsDisposed, "Dispose to start");
            int ran = 0;
            Assert.Throws<ObjectDisposedException>(() => pool.Install(() => ran++));
            Assert.Throws<ObjectDisposedException>(() => pool.Join(() => ran++, () => ran++));
            Assert.Throws<ObjectDisposedException>(() => pool.Scope(_ => ran++));
            Assert.Throws<ObjectDisposedException>(() => pool.For(0, 10, _ => ran++));
            Assert.Equal(0, ran);
        }
        finally
        {
            release.Signal();
            Assert.True(holder.Join(Bounded.WaitLimit), "the guest call did not end");
            Assert.True(disposer.Join(Bounded.WaitLimit), "Dispose did not return");
        }
    });

    [Theory]
    [InlineData(2, 4, 6)]
    [InlineData(1, 1, 4)]
    [InlineData(3, 8, 8)]
    public void DisposeRacingGuestCalls_EachCallCompletesExactlyOrIsRefused_NoHang(int threads, int guestSlots, int callers) => Bounded.Run(() =>
    {
        const int Kinds = 4;
        for (int round = 0; round < 3; round++)
        {
            int exited = 0;
            var pool = Pools.Create(threads, o =>
            {
                o.GuestSlots = guestSlots;
                o.SpinCount = round == 1 ? 0 : 64;
                o.OnWorkerExit = _ => Interlocked.Increment(ref exited);
            });

            // One cell per caller, zeroed before each call: every kind of call adds 8 in total.
            var cells = new int[callers];
            var completed = new int[callers];
            var refused = new int[callers];
            var enough = new Gate("every caller to complete some calls", callers);
            Bounded.Threads(callers + 1, t =>
            {
                if (t == callers)
                {
                    enough.Wait();
                    pool.Dispose();
                    Assert.Equal(threads, Volatile.Read(ref exited));
                    return;
                }

                // Calls until one is refused: if Dispose never gets through, this is the hang.
                for (int i = 0; ; i++)
                {
                    Volatile.Write(ref cells[t], 0);
                    try
                    {
                        Call(pool, cells, t, i % Kinds);
                    }
                    catch (ObjectDisposedException)
                    {
                        refused[t]++;
                        break;
                    }

                    Assert.Equal(8, Volatile.Read(ref cells[t]));
                    if (++completed[t] == 50)
                    {
                        enough.Signal();
                    }
                }
            });

            // The refused calls ran nothing, not even later (every worker has exited).
            Assert.All(refused, r => Assert.Equal(1, r));
            Assert.All(cells, c => Assert.Equal(0, c));
            Assert.All(completed, c => Assert.True(c >= 50));
        }

        static void Call(WorkStealingPool pool, int[] cells, int t, int kind)
        {
            switch (kind)
            {
                case 0:
                    pool.Install((cells, t), static s => Interlocked.Add(ref s.cells[s.t], 8));
                    break;
                case 1:
                    pool.Join((cells, t), static s => Interlocked.Add(ref s.cells[s.t], 3), static s => Interlocked.Add(ref s.cells[s.t], 5));
                    break;
                case 2:
                    pool.For(0, 8, (cells, t), static (s, _) => Interlocked.Increment(ref s.cells[s.t]));
                    break;
                default:
                    pool.Scope((cells, t), static (s, scope) =>
                    {
                        for (int k = 0; k < 4; k++)
                        {
                            scope.Spawn(s, static (s, _) => Interlocked.Add(ref s.cells[s.t], 2));
                        }
                    });
                    break;
            }
        }
    });

    [Fact]
    public void GuestWaitingForRoomInAnotherPoolsRing_ThatPoolDisposedFromAParticipant_Returns() => Bounded.Run(() =>
    {
        // A guest of A installs into B while B's two-slot install ring is full, so it waits for
        // room. A job of A disposes B (Dispose from a participant of another pool is allowed):
        // Dispose must not wait for the waiting guest, which is refused with ObjectDisposedException.
        var release = new Gate("the test to release B's worker");
        var gateRunning = new Gate("B's worker to be occupied");
        var aboutToInstallIntoB = new Gate("the guest of A to start its Install into B");
        var disposedB = new Gate("B's Dispose, run by a participant of A, to return");
        // Not `using`: after a hang, disposing would hang too and hide the report.
        var a = Pools.Create(1);
        var b = Pools.CreateWithoutGuests(1, o => o.InjectorCapacity = 2);
        var outcomes = new string[6];
        int disposerIndex = -2;
        Bounded.Threads(6, t =>
        {
            switch (t)
            {
                case 0:
                    b.Install(() =>
                    {
                        gateRunning.Signal();
                        release.Wait();
                    });
                    outcomes[t] = "completed";
                    break;
                case 1:
                case 2:
                    gateRunning.Wait();
                    b.Install(static () => { });
                    outcomes[t] = "completed";
                    break;
                case 3:
                    // Installs (callers that wait) go to B's install ring, not to its spawn ring.
                    Bounded.Until(() => b.InstallRing.Count == 2, "B's install ring to fill up");
                    try
                    {
                        a.Install(() =>
                        {
                            Assert.True(Guests.IsGuestIndex(a, WorkStealingPool.CurrentWorkerIndex));
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
                    aboutToInstallIntoB.Wait();
                    a.Spawn(() =>
                    {
                        disposerIndex = WorkStealingPool.CurrentWorkerIndex;
                        b.Dispose();
                        disposedB.Signal();
                    });
                    disposedB.Wait();
                    outcomes[t] = "completed";
                    break;
                default:
                    Bounded.Until(() => b.IsDisposed, "B's Dispose to start");
                    release.Signal();
                    outcomes[t] = "completed";
                    break;
            }
        });

        Assert.Equal(["completed", "completed", "completed"], outcomes[..3]);
        Assert.Contains(outcomes[3], new[] { "completed", "refused" });
        Assert.Equal("completed", outcomes[4]);
        Assert.InRange(disposerIndex, 0, a.ParticipantCount - 1);
        Assert.Throws<ObjectDisposedException>(() => b.Install(static () => { }));
        Assert.Equal(7, a.Install(static () => 7));
        a.Dispose();
    });
}
