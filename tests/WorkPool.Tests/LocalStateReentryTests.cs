using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>
/// Loops with local state whose body nests a parallel call. While an iteration waits inside its
/// body, its participant runs other pieces of the same loop on the same thread; each of those must
/// get a local of its own, or the waiting iteration's stale value overwrites theirs when it
/// returns (the delegate form, <c>local = body(i, local)</c>) or it adds into a value read before
/// the call (the struct form, <c>local += Nested()</c>). Every loop's total must be exact.
/// </summary>
public class LocalStateReentryTests
{
    // Before the fix, the first wrong total came within the first few loops at 6 and 8 participants.
    private const int Loops = 40;
    private const int Length = 256;

    // Every iteration nests a Join whose first half waits for the second to start elsewhere, so
    // the owner waits for that half, and its wait runs the loop's other pieces.

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    public void DelegateForm_EveryIterationCounted_WhenBodiesNestAJoin(int threads) => Bounded.Run(() =>
    {
        using var pool = Pools.Create(threads);
        for (int loop = 0; loop < Loops; loop++)
        {
            long total = 0;
            int inits = 0;
            pool.For(
                0,
                Length,
                () =>
                {
                    Interlocked.Increment(ref inits);
                    return 0L;
                },
                (i, local) => local + Nested(pool) + 1,
                local => total += local);
            Assert.Equal(Length, total);
            Assert.InRange(inits, 1, Length);
        }
    });

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    public void StructForm_LocalPlusEqualsNested_IsExact(int threads) => Bounded.Run(() =>
    {
        using var pool = Pools.Create(threads);
        for (int loop = 0; loop < Loops; loop++)
        {
            var body = new NestingCountBody(pool);
            pool.For<NestingCountBody, long>(0, Length, ref body);
            Assert.Equal(Length, body.Total);
            Assert.Equal(body.Inits, body.Finishes);
        }
    });

    /// <summary>A Join whose first half waits (bounded) for the second half to start elsewhere; returns 0.</summary>
    private static int Nested(WorkStealingPool pool)
    {
        var started = new StrongBox<int>();
        pool.Join(
            started,
            static s =>
            {
                // Until a thief took the second half, or long enough that nobody will.
                for (int spin = 0; spin < 300 && Volatile.Read(ref s.Value) == 0; spin++)
                {
                    Thread.SpinWait(50);
                }
            },
            static s =>
            {
                Volatile.Write(ref s.Value, 1);
                Burn(20_000);
            });
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Burn(int rounds)
    {
        ulong x = 0x9E3779B97F4A7C15UL;
        for (int k = 0; k < rounds; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        GC.KeepAlive(x);
    }

    private struct NestingCountBody(WorkStealingPool pool) : IForLocalBody<long>
    {
        public long Total;
        public int Inits;
        public int Finishes;

        public long Init()
        {
            Interlocked.Increment(ref Inits);
            return 0;
        }

        public void Invoke(int index, ref long local)
        {
            // Reads local before the nested call: exact only if nothing else writes it meanwhile.
            local += Nested(pool) + 1;
        }

        public void Finish(long local)
        {
            Finishes++;
            Total += local;
        }
    }
}
