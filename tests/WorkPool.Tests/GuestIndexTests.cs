namespace WorkPool.Tests;

/// <summary>
/// Participant indices under contention: more outside threads than guest slots call into the
/// pool at once, so some calls run as guests and the rest fall back to workers. At every moment
/// each index in [0, ParticipantCount) is held by at most one thread (it can index
/// per-participant state), a guest's index is its slot's, and every call's result is exact.
/// </summary>
public class GuestIndexTests
{
    [Theory]
    [InlineData(1, 1, 6)]
    [InlineData(2, 2, 8)]
    [InlineData(2, 4, 4)]
    [InlineData(3, 4, 12)]
    public void ManyCallers_EachIndexHeldByOneThreadAtATime_ResultsExact(int threads, int guestSlots, int callers) => Bounded.Run(() =>
    {
        const int Calls = 1_500;
        using WorkStealingPool pool = Pools.Create(threads, o =>
        {
            o.GuestSlots = guestSlots;
            o.SpinCount = 16;
        });
        var holders = new int[pool.ParticipantCount];
        var asGuest = new int[callers];
        var onWorker = new int[callers];
        var runs = new int[callers, Calls];
        Bounded.Threads(callers, t =>
        {
            int me = Environment.CurrentManagedThreadId;
            for (int i = 0; i < Calls; i++)
            {
                var probe = new HolderProbe(pool, holders, runs, t, i);
                pool.Install(ref probe);
                Assert.Null(probe.Failure);
                if (probe.Index >= threads)
                {
                    // A guest call runs on the caller.
                    Assert.Equal(me, probe.ThreadId);
                    asGuest[t]++;
                }
                else
                {
                    Assert.NotEqual(me, probe.ThreadId);
                    onWorker[t]++;
                }

                Assert.Equal(Fib.Sequential(10), probe.Fib);
            }
        });
        Assert.All(runs.Cast<int>(), r => Assert.Equal(1, r));
        Assert.All(holders, h => Assert.Equal(0, h));
        Assert.Equal(callers * Calls, asGuest.Sum() + onWorker.Sum());
        Assert.True(asGuest.Sum() > 0, "no call ran as a guest");
    });

    [Fact]
    public void JoinsAndLoopsFromManyCallers_HalvesSeeValidIndices_Exact() => Bounded.Run(() =>
    {
        const int Callers = 6;
        const int Rounds = 200;
        using WorkStealingPool pool = Pools.Create(2, o => o.GuestSlots = 3);
        var perIndex = new long[pool.ParticipantCount];
        var totals = new long[Callers];
        Bounded.Threads(Callers, t =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                // Loop pieces and Join halves may run on any participant; each adds to its own
                // participant's cell (no other thread holds that index meanwhile).
                totals[t] += pool.Reduce(0, 256, perIndex, 0L, static (cells, acc, i) =>
                {
                    int index = WorkStealingPool.CurrentWorkerIndex;
                    cells[index] += i;
                    return acc + i;
                }, static (a, b) => a + b);
                (long a, long b) = pool.Join(perIndex, static cells => Add(cells, 1), static cells => Add(cells, 2));
                totals[t] += a + b;
            }
        });
        long expectedPerCaller = Rounds * ((256L * 255 / 2) + 3);
        Assert.All(totals, t => Assert.Equal(expectedPerCaller, t));
        Assert.Equal(Callers * expectedPerCaller, perIndex.Sum());

        static long Add(long[] cells, long value)
        {
            cells[WorkStealingPool.CurrentWorkerIndex] += value;
            return value;
        }
    });

    /// <summary>
    /// Takes the holder cell of its participant index for the length of its body (failing if
    /// another thread holds it), records where it ran, and forks a little work.
    /// </summary>
    private struct HolderProbe(WorkStealingPool pool, int[] holders, int[,] runs, int caller, int call) : IWork
    {
        public int Index;
        public int ThreadId;
        public long Fib;
        public string? Failure;

        public void Run(ForkContext context)
        {
            Index = WorkStealingPool.CurrentWorkerIndex;
            ThreadId = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref runs[caller, call]);
            if (context.WorkerIndex != Index || !ReferenceEquals(context.Pool, pool))
            {
                Failure = $"ForkContext says {context.WorkerIndex}, CurrentWorkerIndex {Index}";
                return;
            }

            int previous = Interlocked.CompareExchange(ref holders[Index], ThreadId, 0);
            if (previous != 0)
            {
                Failure = $"index {Index} held by thread {previous} while thread {ThreadId} ran with it";
                return;
            }

            try
            {
                Fib = WorkPool.Tests.Fib.State(pool, 10);
                if (WorkStealingPool.CurrentWorkerIndex != Index)
                {
                    Failure = $"the index changed from {Index} to {WorkStealingPool.CurrentWorkerIndex} inside one call";
                }
            }
            finally
            {
                Interlocked.Exchange(ref holders[Index], 0);
            }
        }
    }
}
