using System.Diagnostics.CodeAnalysis;

namespace WorkPool.Tests;

/// <summary>One call shape of <see cref="ZeroAfterFirstCallProbe"/>: a form of the API with fixed body types, its expected checksum, and the pool's guest slots.</summary>
internal sealed record ZeroShape(string Name, Func<WorkStealingPool, long> Call, long Checksum, int GuestSlots = 4);

/// <summary>
/// Every form of the API, each as one closure-free call whose bodies spin or yield for random
/// short times (<see cref="Jitter"/>), so that which participant runs which piece changes from
/// call to call.
/// </summary>
internal static class ZeroShapes
{
    private const int LoopLength = 64;
    private const int Spawns = 10;

    private static readonly long[] s_loopData = CreateLoopData();
    private static readonly long s_loopSum = LoopLength * (LoopLength - 1) / 2;

    internal static readonly ZeroShape[] All =
    [
        new("install-state", static pool => pool.Install(21L, static s => Jitter.Value(s) * 2), 42),
        new("install-struct", static pool => pool.Install<FibResult, long>(new FibResult(8)), 21),
        new("install-fallback", static pool => pool.Install(21L, static s => Jitter.Value(s) * 2), 42, GuestSlots: 0),
        new("join-state", static pool => Sum(pool.Join(5L, static s => Jitter.Value(s), static s => Jitter.Value(s + 1))), 11),
        new("join-struct-tree", static pool =>
        {
            var fib = new FibWork(10);
            pool.Install(ref fib);
            return fib.Result;
        }, 55),
        new("for-state", static pool => ForState(pool), s_loopSum),
        new("forrange-struct", static pool =>
        {
            long[] totals = Shared.RangeTotals;
            Interlocked.Exchange(ref totals[0], 0);
            var body = new RangeSum(s_loopData, totals);
            pool.ForRange(0, LoopLength, ref body);
            return Interlocked.Read(ref totals[0]);
        }, s_loopSum),
        new("foreach-memory", static pool =>
        {
            var body = new ElementSum(Shared.ForEachTotals);
            Interlocked.Exchange(ref Shared.ForEachTotals[0], 0);
            pool.ForEach<long, ElementSum>(s_loopData.AsMemory(), ref body);
            return Interlocked.Read(ref Shared.ForEachTotals[0]);
        }, s_loopSum),
        new("reduce-adaptive", static pool => pool.Reduce<SumReducer, long>(0, LoopLength, default), s_loopSum),
        new("reduce-deterministic", static pool => pool.Reduce<SumReducer, long>(0, LoopLength, default, deterministic: true), s_loopSum),
        new("for-break", static pool =>
        {
            LoopResult result = pool.For(0, LoopLength, s_loopData, static (data, i, control) =>
            {
                Jitter.Value(data[i]);
                if (i == 50)
                {
                    control.Break();
                }
            });
            return result.LowestBreakIteration ?? -1;
        }, 50),
        new("scope-spawns", static pool =>
        {
            long[] counter = Shared.ScopeCounter;
            Interlocked.Exchange(ref counter[0], 0);
            pool.Scope(counter, static (c, scope) =>
            {
                for (int i = 0; i < Spawns; i++)
                {
                    // Each job spawns one more: nested spawns run wherever the pool put their parent.
                    scope.Spawn(c, static (c, scope) =>
                    {
                        Jitter.Value(c.Length);
                        Interlocked.Increment(ref c[0]);
                        scope.Spawn(c, static (c, _) => Interlocked.Increment(ref c[0]));
                    });
                }
            });
            return Interlocked.Read(ref counter[0]);
        }, 2 * Spawns),
        new("spawn-fire-and-forget", static pool =>
        {
            long[] counter = Shared.SpawnCounter;
            Interlocked.Exchange(ref counter[0], 0);
            for (int i = 0; i < Spawns; i++)
            {
                pool.Spawn(counter, static c =>
                {
                    Jitter.Value(c.Length);
                    Interlocked.Increment(ref c[0]);
                });
            }

            SpinWait spinner = default;
            while (Interlocked.Read(ref counter[0]) != Spawns)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            return Spawns;
        }, Spawns),
        new("broadcast", static pool =>
        {
            long[] counter = Shared.BroadcastCounter;
            Interlocked.Exchange(ref counter[0], 0);
            pool.Broadcast(counter, static (c, _) => Interlocked.Increment(ref c[0]));
            return Interlocked.Read(ref counter[0]) == pool.ThreadCount ? 1 : 0;
        }, 1),
    ];

    internal static bool TryGet(string name, [NotNullWhen(true)] out ZeroShape? shape)
    {
        shape = Array.Find(All, s => s.Name == name);
        return shape is not null;
    }

    private static long Sum((long A, long B) pair) => pair.A + pair.B;

    private static long ForState(WorkStealingPool pool)
    {
        long[] totals = Shared.ForTotals;
        Interlocked.Exchange(ref totals[0], 0);
        pool.For(0, LoopLength, totals, static (t, i) => Interlocked.Add(ref t[0], Jitter.Value(i)));
        return Interlocked.Read(ref totals[0]);
    }

    private static long[] CreateLoopData()
    {
        long[] data = new long[LoopLength];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i;
        }

        return data;
    }

    /// <summary>Counters the closure-free bodies share (one shape runs at a time in a probe).</summary>
    private static class Shared
    {
        internal static readonly long[] ForTotals = new long[1];
        internal static readonly long[] RangeTotals = new long[1];
        internal static readonly long[] ForEachTotals = new long[1];
        internal static readonly long[] ScopeCounter = new long[1];
        internal static readonly long[] SpawnCounter = new long[1];
        internal static readonly long[] BroadcastCounter = new long[1];
    }

    private struct FibWork(int n) : IWork
    {
        public long Result;

        public void Run(ForkContext context)
        {
            if (n < 2)
            {
                Result = Jitter.Value(n);
                return;
            }

            var a = new FibWork(n - 1);
            var b = new FibWork(n - 2);
            context.Join(ref a, ref b);
            Result = a.Result + b.Result;
        }
    }

    private readonly struct FibResult(int n) : IWork<long>
    {
        public long Run(ForkContext context)
        {
            var fib = new FibWork(n);
            fib.Run(context);
            return fib.Result;
        }
    }

    private readonly struct RangeSum(long[] data, long[] totals) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            long sum = 0;
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                sum += Jitter.Value(data[i]);
            }

            Interlocked.Add(ref totals[0], sum);
        }
    }

    private readonly struct ElementSum(long[] totals) : IForEachBody<long>
    {
        public void Invoke(ref long element, int index) => Interlocked.Add(ref totals[0], Jitter.Value(element));
    }

    private readonly struct SumReducer : IRangeReducer<long>
    {
        public long Identity() => 0;

        public long Accumulate(long accumulator, long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                accumulator += Jitter.Value(i);
            }

            return accumulator;
        }

        public long Combine(long left, long right) => left + right;
    }
}

/// <summary>
/// Random short delays inside bodies, without allocating: a per-thread xorshift decides how long
/// to spin, and now and then to yield the core.
/// </summary>
internal static class Jitter
{
    [ThreadStatic]
    private static ulong t_state;

    /// <summary>Returns <paramref name="value"/> after a random short spin, or a yield.</summary>
    internal static long Value(long value)
    {
        ulong x = t_state;
        if (x == 0)
        {
            x = (ulong)Environment.CurrentManagedThreadId * 0x9E3779B97F4A7C15UL | 1;
        }

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t_state = x;
        if ((x & 1023) == 0)
        {
            Thread.Yield();
        }
        else
        {
            Thread.SpinWait((int)(x >> 61));
        }

        return value;
    }
}
