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
}
