namespace WorkPool.Tests;

/// <summary>
/// The caller-first loop under contention, with more threads than cores: several outside
/// threads run loops long enough to hand pieces to the workers at once (so pieces are claimed
/// from each loop's cursor by the caller and by helpers, and helper jobs of different callers
/// share the ring), with nesting, reductions and exceptions mixed in. Every index runs exactly
/// once, every sum is exact, every exception arrives.
/// </summary>
public class LoopStressTests
{
    private const int Callers = 6;
    private const int LoopsPerCaller = 12;
    private const int Length = 3000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ManyCallers_LongLoops_EveryIndexOnce(int threads) => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(threads);
        Bounded.Threads(Callers, caller =>
        {
            for (int loop = 0; loop < LoopsPerCaller; loop++)
            {
                var counts = new int[Length];
                pool.For(0, Length, counts, static (c, i) =>
                {
                    Interlocked.Increment(ref c[i]);
                    Thread.SpinWait(20);
                });
                for (int i = 0; i < Length; i++)
                {
                    Assert.True(counts[i] == 1, $"caller {caller}, loop {loop}: index {i} ran {counts[i]} times.");
                }

                long sum = pool.Reduce(0, Length, 0L, static (acc, i) =>
                {
                    Thread.SpinWait(20);
                    return acc + i;
                }, static (a, b) => a + b);
                Assert.Equal((long)Length * (Length - 1) / 2, sum);

                // A long outer loop with inner loops: the caller runs its inner loops alone while its
                // helper is out; the workers split theirs.
                var nested = new int[40 * 100];
                pool.For(0, 40, (pool, nested), static (s, i) =>
                    s.pool.For(0, 100, (s.nested, i), static (t, j) =>
                    {
                        Interlocked.Increment(ref t.nested[(t.i * 100) + j]);
                        Thread.SpinWait(20);
                    }));
                Assert.All(nested, n => Assert.Equal(1, n));

                if (loop % 4 == 0)
                {
                    var error = Assert.Throws<InvalidOperationException>(() => pool.For(0, Length, static i =>
                    {
                        Thread.SpinWait(20);
                        if (i == Length - 7)
                        {
                            throw new InvalidOperationException("late");
                        }
                    }));
                    Assert.Equal("late", error.Message);
                }
            }
        });

        Assert.Equal(12, pool.Install(static () => 12));
    });

    [Fact]
    public void ParkingWorkers_HelpersRevokedOrJoined_EveryIndexOnce() => Bounded.Run(() =>
    {
        // SpinCount 0: idle workers park at once, so a loop of some microseconds often ends
        // before the woken worker enters its helper job, and the caller revokes it (the job stays
        // in the ring and completes later, without touching the finished loop's stack).
        using WorkStealingPool pool = Pools.Create(2, o => o.SpinCount = 0);
        Bounded.Threads(3, caller =>
        {
            for (int loop = 0; loop < 400; loop++)
            {
                var counts = new int[200];
                pool.For(0, counts.Length, counts, static (c, i) =>
                {
                    Interlocked.Increment(ref c[i]);
                    Thread.SpinWait(30);
                });
                for (int i = 0; i < counts.Length; i++)
                {
                    Assert.True(counts[i] == 1, $"caller {caller}, loop {loop}: index {i} ran {counts[i]} times.");
                }

                Assert.Equal(19_900L, pool.Reduce(0, 200, 0L, static (acc, i) =>
                {
                    Thread.SpinWait(30);
                    return acc + i;
                }, static (a, b) => a + b));
            }
        });

        Assert.Equal(3, pool.Install(static () => 3));
    });

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void InterruptedCaller_LeavesOnlyAfterTheWorkersAreDone(bool deterministic, bool guests) => Bounded.Run(() =>
    {
        // The caller waits (SpinCount 0: it parks at once) for pieces that run on a worker and
        // point into its stack. An interrupt must not let it leave before they are done. With
        // guest slots the caller runs pieces itself as a guest, then waits for the worker's;
        // without, the worker runs the whole loop and the caller only waits.
        using WorkStealingPool pool = guests
            ? Pools.Create(1, o => o.SpinCount = 0)
            : Pools.CreateWithoutGuests(1, o => o.SpinCount = 0);
        Exception? thrown = null;
        Exception? unexpected = null;
        bool workersDoneWhenThrown = false;
        InterruptState? state = null;
        var caller = new Thread(() =>
        {
            try
            {
                // Deterministic: the caller runs the tree's first halves (a guest) or only waits.
                // Adaptive: the caller runs pieces until a worker enters the helper, which then
                // holds the last piece (a guest), or only waits.
                pool.Reduce(0, 64, state!, 0L, static (s, acc, i) => s.Piece(acc, i), static (a, b) => a + b, deterministic);
            }
            catch (ThreadInterruptedException e)
            {
                thrown = e;
                workersDoneWhenThrown = Volatile.Read(ref state!.Running) == 0;
            }
#pragma warning disable CA1031 // Reported by the test thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                unexpected = e;
            }
        });
        state = new InterruptState(caller);
        caller.Start();
        state.Started.Wait();
        caller.Interrupt();
        // Release the worker only once the caller blocks (the pending interrupt has then been
        // raised in its wait, or it is parked and the interrupt will be raised there).
        Bounded.Until(() => (caller.ThreadState & ThreadState.WaitSleepJoin) != 0, "the caller waits for the worker");
        state.Release.Signal();
        Assert.True(caller.Join(Bounded.WaitLimit), "the interrupted caller did not return");
        Assert.Null(unexpected);
        Assert.NotNull(thrown); // the caller blocked only in its wait for the worker, so the interrupt was raised there
        if (thrown is not null)
        {
            Assert.True(workersDoneWhenThrown, "the caller left the loop while a worker still ran one of its pieces");
        }

        Assert.Equal(5, pool.Install(static () => 5));
    });

    /// <summary>Blocks the first piece that runs on a worker (any thread but the caller) until released; counts pieces running on workers.</summary>
    private sealed class InterruptState(Thread caller)
    {
        public readonly Gate Started = new("a piece to block on a worker");
        public readonly Gate Release = new("the test to release the blocked piece");
        public int Running;

        public long Piece(long accumulator, int index)
        {
            if (Thread.CurrentThread == caller)
            {
                // The calling thread (a guest; without guest slots it runs no piece): slow
                // enough to share after its first pieces, then it waits until a worker runs one.
                Thread.SpinWait(5_000);
                if (index >= 8)
                {
                    Started.Wait();
                }

                return accumulator + index;
            }

            Interlocked.Increment(ref Running);
            try
            {
                if (!Started.IsOpen)
                {
                    Started.Signal();
                    Release.Wait();
                }

                return accumulator + index;
            }
            finally
            {
                Interlocked.Decrement(ref Running);
            }
        }
    }
}
