using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>
/// The child-process side of <see cref="ZeroAfterFirstCallTests"/>: for one form, 20 repetitions,
/// each with a fresh pool of a random thread count (1 to 8 on a 2-core machine), one warm-up call
/// of the shape, then <see cref="ZeroShape.Calls"/> calls (10,000 for most forms) measured process-wide while a disturber perturbs
/// which participant runs what: the bodies spin or yield for random short times, a second pool
/// competes for the cores, and a second caller takes guest slots of the same pool. Every
/// repetition must allocate exactly 0 bytes (the minimum over up to <see cref="MaxRounds"/>
/// windows); the probe prints one line per repetition.
/// </summary>
internal static class ZeroAfterFirstCallProbe
{
    internal const string Command = "zero-after-first-call";
    internal const string ResultMarker = "ZERO-REP";
    internal const int Repetitions = 20;
    internal const int Calls = 10_000;

    /// <summary>Windows per repetition at most; the repetition's figure is their minimum.</summary>
    internal const int MaxRounds = 3;

    /// <summary>Calls measured for forms whose every call is a round trip to every worker (broadcast, a fire-and-forget burst waited for).</summary>
    internal const int RoundTripCalls = 1_000;

    /// <summary>In the child process: runs every repetition of <paramref name="form"/>; 0 when all ran (the parent checks the bytes).</summary>
    internal static int Run(string form)
    {
        if (!ZeroShapes.TryGet(form, out ZeroShape? shape))
        {
            Console.Error.WriteLine($"no form {form}");
            return 2;
        }

        PrepareEngine();
        var random = new Random(form.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        using WorkStealingPool competitor = Pools.Create(2, test: "zero-competitor");
        using var disturber = new Disturber(competitor);
        // Repetition -1 warms the process, not a pool, and is not reported: the JIT compiles the
        // engine's rarely taken paths when they first run, and the runtime builds its own
        // first-time structures then. Every reported repetition still gets a fresh pool and one
        // warm-up call. (Without it, repetition 0 of reduce-adaptive read 6,192 B in 2 of 6
        // loaded CI runs, never a later repetition and never another size.)
        for (int rep = -1; rep < Repetitions; rep++)
        {
            int threads = rep < 0 ? 8 : random.Next(1, 9);
            using WorkStealingPool pool = Pools.Create(threads, o => o.GuestSlots = shape.GuestSlots, test: "zero");
            long expected = shape.Checksum;

            // The test's own per-thread state (Jitter's thread-static) exists on every worker
            // before the window: the first touch of a thread-static on a thread allocates.
            pool.Broadcast(static _ => Jitter.Value(0));

            // One warm-up call of the shape; the disturber's second caller also uses the pool
            // from now on (its own first call is its warm-up, before the window).
            Assert.Equal(expected, shape.Call(pool));
            disturber.Target(pool);
            disturber.WaitUntilWarm();

            // The minimum over up to MaxRounds windows of shape.Calls calls (the rule of the
            // allocation claims: a window that met the runtime's own one-off work, a finalizer or
            // a first-time structure, is measured again; a pool that allocates in its steady
            // state allocates in every window).
            long allocated = long.MaxValue;
            long checksum = 0;
            for (int round = 0; round < MaxRounds && allocated != 0; round++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < shape.Calls; i++)
                {
                    checksum += shape.Call(pool) == expected ? 0 : 1;
                }

                allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
                if (allocated != 0 && rep >= 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rep {rep} window {round}: {allocated} B"));
                }
            }

            disturber.Target(null);
            Assert.Equal(0, checksum);
            if (rep >= 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResultMarker}\t{rep}\t{threads}\t{allocated}"));
            }
        }

        return 0;
    }

    /// <summary>
    /// Compiles every non-generic method of the engine and runs every non-generic type's static
    /// constructor before the repetitions: a cold path (a wait for a preempted claimer, a guest's
    /// timed park) first taken inside a window would otherwise make the runtime compile it and
    /// initialize what it touches there, and that is the runtime's first-time work, not the
    /// pool's (one repetition of 20 read 408 B once under a full test run's load). Generic code
    /// is compiled by each repetition-independent warm-up call and repetition -1.
    /// </summary>
    private static void PrepareEngine()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in typeof(WorkStealingPool).Assembly.GetTypes())
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            foreach (MethodInfo method in type.GetMethods(All))
            {
                if (method.IsAbstract || method.ContainsGenericParameters)
                {
                    continue;
                }

                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
#pragma warning disable CA1031 // A method the runtime cannot prepare ahead (a P/Invoke, say) is compiled when it first runs.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    /// <summary>
    /// Perturbs scheduling without allocating: one thread runs Fib on a competing pool, another
    /// calls a small Join tree on the pool under test (so guest slots and workers are shared).
    /// </summary>
    private sealed class Disturber : IDisposable
    {
        private readonly Thread _competing;
        private readonly Thread _sharing;
        private WorkStealingPool? _target;
        private WorkStealingPool? _inUse;
        private int _stop;
        private int _warmTarget;

        internal Disturber(WorkStealingPool competitor)
        {
            _competing = new Thread(() =>
            {
                while (Volatile.Read(ref _stop) == 0)
                {
                    var fib = new FibWork(14);
                    competitor.Install(ref fib);
                }
            })
            { IsBackground = true, Name = "zero-competing" };
            _sharing = new Thread(() =>
            {
                // This thread is a guest of the pool under test while its own calls wait, so it
                // may steal pieces of the measured calls: the test's per-thread state (Jitter's
                // thread-static, whose first touch on a thread allocates) must exist here too,
                // as on every worker (a piece it first stole in the window allocated 6 KB once).
                Jitter.Value(0);
                WorkStealingPool? seen = null;
                int calls = 0;
                while (Volatile.Read(ref _stop) == 0)
                {
                    // Dekker with Target: announce the pool in use (a full fence), then check it
                    // is still the target; Target(null) returns only once no call can start on it.
                    WorkStealingPool? target = Volatile.Read(ref _target);
                    Interlocked.Exchange(ref _inUse, target);
                    if (target is null || Volatile.Read(ref _target) != target)
                    {
                        Interlocked.Exchange(ref _inUse, null);
                        Thread.Yield();
                        continue;
                    }

                    if (target != seen)
                    {
                        seen = target;
                        calls = 0;
                    }

                    var fib = new FibWork(8);
                    target.Install(ref fib);
                    Interlocked.Exchange(ref _inUse, null);
                    if (++calls == 2)
                    {
                        Volatile.Write(ref _warmTarget, 1);
                    }
                }
            })
            { IsBackground = true, Name = "zero-sharing" };
            _competing.Start();
            _sharing.Start();
        }

        internal void Target(WorkStealingPool? pool)
        {
            Volatile.Write(ref _warmTarget, 0);
            WorkStealingPool? previous = Interlocked.Exchange(ref _target, pool);
            if (previous is not null)
            {
                Bounded.Until(() => Volatile.Read(ref _inUse) != previous, "the disturber to leave the pool");
            }
        }

        internal void WaitUntilWarm() => Bounded.Until(() => Volatile.Read(ref _warmTarget) == 1, "the disturber's first calls into the pool");

        public void Dispose()
        {
            Volatile.Write(ref _stop, 1);
            Assert.True(_competing.Join(Bounded.WaitLimit), "the competing disturber hung");
            Assert.True(_sharing.Join(Bounded.WaitLimit), "the sharing disturber hung");
        }
    }

    private struct FibWork(int n) : IWork
    {
        public long Result;

        public void Run(ForkContext context)
        {
            if (n < 2)
            {
                Result = n;
                return;
            }

            var a = new FibWork(n - 1);
            var b = new FibWork(n - 2);
            context.Join(ref a, ref b);
            Result = a.Result + b.Result;
        }
    }
}
