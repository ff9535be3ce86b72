using System.Globalization;

namespace WorkPool.Tests;

/// <summary>
/// Child-process probes for failures that used to end the process (an unhandled interrupt on an
/// idle worker, a stack overflow): a regression kills the probe, not the test host. Dispatched
/// from <see cref="ProbeProgram"/>; each prints one result line and exits 0 when it survived.
/// </summary>
internal static class RobustnessProbes
{
    internal const string IdleInterrupt = "idle-interrupt-probe";
    internal const string IdleInterruptResult = "IDLE-INTERRUPT survived";
    internal const string DeepRecursion = "deep-recursion-probe";
    internal const string DeepRecursionResult = "DEEP-RECURSION survived";

    /// <summary>Runs the probe in a child process and asserts its exit code and its result line.</summary>
    internal static void RunAndAssert(string probe, int expectedExitCode, string expectedLine)
    {
        using ChildProcessProbe child = ChildProcessProbe.Run(probe);
        Assert.True(child.ExitCode == expectedExitCode, $"exit code {child.ExitCode}, expected {expectedExitCode}:\n{child.Output}");
        Assert.Contains(expectedLine, child.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A job interrupts its own worker; the workers go to sleep; the pool keeps working, and the
    /// interrupt is still pending on that worker for a later job's interruptible wait.
    /// </summary>
    internal static int RunIdleInterrupt()
    {
        using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, ThreadNamePrefix = "idle-interrupt" });
        int interrupted = -1;
        var done = new Gate("the interrupting job");
        pool.Spawn(() =>
        {
            interrupted = WorkStealingPool.CurrentWorkerIndex;
            // Signal first: the gate takes a lock, which a pending interrupt could break.
            done.Signal();
            Thread.CurrentThread.Interrupt();
        });
        done.Wait();

        // Every worker asleep (the interrupted one included): this is where the process died.
        var statistics = new Diagnostics.PoolStatistics();
        Bounded.Until(() =>
        {
            pool.GetStatistics(statistics);
            return statistics.SleepingWorkers == pool.ThreadCount;
        }, "every worker to sleep");

        var pending = new bool[pool.ThreadCount];
        pool.Broadcast(pending, static (pending, index) => pending[index] = InterruptTests.InterruptPending());
        long fib = pool.Install(static () => Fib.Static(20));
        string seen = string.Join(',', pending);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worker {interrupted} interrupted; pending after sleeping: {seen}; fib {fib}"));
        bool ok = interrupted >= 0 && pending.Count(static p => p) == 1 && pending[interrupted] && fib == Fib.Sequential(20);
        if (ok)
        {
            Console.WriteLine(IdleInterruptResult);
        }

        return ok ? 0 : 1;
    }

    /// <summary>
    /// Recursion without a cut-off through Join, Install and Scope, on workers (two stack sizes)
    /// and on guests (the main thread, a thread with a small stack): each ends with
    /// <see cref="InsufficientExecutionStackException"/>, and the pool keeps working. Without the
    /// stack guard the first one overflowed the stack and the process died (exit code 134).
    /// </summary>
    internal static int RunDeepRecursion()
    {
        bool ok = true;
        int smallWorkers = 0;
        int largeWorkers = 0;
        // .NET 8 unwinds an exception through thousands of Join frames far more slowly (about 16 s
        // for a 1 MB stack's worth, against well under a second on .NET 10): there the probe checks
        // the 1 MB stacks only, and the comparisons with 2 MB stacks run on .NET 10.
        bool compareStackSizes = Environment.Version.Major >= 9;
        foreach (int stackSize in compareStackSizes ? new[] { 1 << 20, 2 << 20 } : new[] { 1 << 20 })
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, StackSize = stackSize, ThreadNamePrefix = "deep" });
            int joins = OnWorker(pool, () => DeepJoins(pool));
            int installs = OnWorker(pool, () => Deep(pool, static (pool, next) => pool.Install(next)));
            int scopes = OnWorker(pool, () => Deep(pool, static (pool, next) => pool.Scope(next, static (next, _) => next())));
            // An exception thrown thousands of Joins deep (a tenth of the struct-body Joins that fit: each level here is a delegate Join)
            // unwinds them all: each Join's rethrow used to nest below the last one, and the
            // runtime's dispatch frames (about 10 KB per Join) overflowed the stack.
            int throwDepth = joins / 10;
            bool unwound = OnWorker(pool, () => ThrowAtDepth(throwDepth)) == 1;
            long fib = pool.Install(static () => Fib.Static(20));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workers, StackSize {stackSize >> 20} MB: joins {joins}, installs {installs}, scopes {scopes}; exception {throwDepth} Joins deep reached the top: {unwound}; fib afterwards {fib} ({watch.ElapsedMilliseconds} ms)"));
            ok &= joins > 0 && installs > 0 && scopes > 0 && unwound && fib == Fib.Sequential(20);
            (stackSize == 1 << 20 ? ref smallWorkers : ref largeWorkers) = joins;
        }

        // StackSize moves the limit: twice the stack, more than twice the depth (the reserve is fixed).
        ok &= !compareStackSizes || largeWorkers > 2 * smallWorkers;

        // Guests: threads outside the pool, whose stacks the pool learns from the OS. A guest that
        // runs low continues the call on a worker (StackSize), and only a worker that runs low
        // throws: a 1 MB guest thread with 1 MB workers reaches about both stacks' depth.
        if (compareStackSizes)
        {
            using var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, StackSize = 1 << 20, ThreadNamePrefix = "deep-guest" });
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int guest = OnThread(1 << 20, () => DeepJoins(pool));
            long fib = pool.Install(static () => Fib.Static(20));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"guest: 1 MB thread, 1 MB workers: joins {guest} (1 MB workers alone: {smallWorkers}); fib afterwards {fib} ({watch.ElapsedMilliseconds} ms)"));
            ok &= guest > smallWorkers * 3 / 2 && fib == Fib.Sequential(20);
        }

        // Installs and Scopes too: a 1 MB guest thread nests past what its stack holds (about 8,100
        // Installs and 2,400 Scopes), the rest on a worker with the default stack, and returns.
        using (var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, ThreadNamePrefix = "deep-guest-nest" }))
        {
            int installs = OnThread(1 << 20, () => Nested(pool, 20_000, static (pool, next) => pool.Install(next)));
            int scopes = OnThread(1 << 20, () => Nested(pool, 6_000, static (pool, next) => pool.Scope(next, static (next, _) => next())));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"guest: 1 MB thread, nested Installs {installs}, nested Scopes {scopes}, returned normally"));
            ok &= installs == 20_000 && scopes == 6_000;
        }

        // From this (the main) thread, with StackSize = 256 MB: the documented depth, far past
        // what the main thread's own stack holds (about 84,500 such Joins in 8 MB).
        using (var pool = new WorkStealingPool(new WorkStealingPoolOptions { ThreadCount = 2, StackSize = 256 << 20, ThreadNamePrefix = "deep-main" }))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var chain = new ChainJoin { Remaining = MainThreadDepth };
            pool.Install(ref chain);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"main thread, 256 MB workers: {ChainJoin.Deepest} Joins deep, returned normally ({watch.ElapsedMilliseconds} ms)"));
            ok &= Volatile.Read(ref ChainJoin.Deepest) == MainThreadDepth;
        }

        if (ok)
        {
            Console.WriteLine(DeepRecursionResult);
        }

        return ok ? 0 : 1;
    }

    /// <summary>Runs <paramref name="body"/> in a job on a worker and returns its result.</summary>
    private static int OnWorker(WorkStealingPool pool, Func<int> body)
    {
        int result = -1;
        var done = new Gate("the job on a worker");
        pool.Spawn(() =>
        {
            result = body();
            done.Signal();
        });
        done.Wait();
        return result;
    }

    /// <summary>Runs <paramref name="body"/> on a new thread with a stack of <paramref name="stackSize"/> bytes and returns its result.</summary>
    private static int OnThread(int stackSize, Func<int> body)
    {
        int result = -1;
        var thread = new Thread(() => result = body(), stackSize);
        thread.Start();
        return thread.Join(Bounded.WaitLimit) ? result : -2;
    }

    /// <summary>Joins nested <paramref name="depth"/> deep on the calling worker, the deepest throwing: 1 when its exception reached the top.</summary>
    private static int ThrowAtDepth(int depth)
    {
        try
        {
            ForkJoin.Install(depth, static depth => Nest(depth));
            return 0;
        }
        catch (InvalidOperationException e) when (e.Message == "bottom")
        {
            return 1;
        }

        static void Nest(int depth)
        {
            if (depth == 0)
            {
                throw new InvalidOperationException("bottom");
            }

            ForkJoin.Join(depth, static depth => Nest(depth - 1), static _ => { });
        }
    }

    /// <summary>Joins nested without end until the stack guard throws; the depth reached (−1 when something else was thrown).</summary>
    private static int DeepJoins(WorkStealingPool pool)
    {
        var body = new DeepJoin();
        try
        {
            pool.Install(ref body);
            return -1;
        }
        catch (InsufficientExecutionStackException)
        {
            return DeepJoin.Reached;
        }
    }

    /// <summary>Nests <paramref name="enter"/> (an Install or a Scope) without end until the stack guard throws; the depth reached.</summary>
    private static int Deep(WorkStealingPool pool, Action<WorkStealingPool, Action> enter)
    {
        int depth = 0;
        void Next()
        {
            depth++;
            enter(pool, Next);
        }

        try
        {
            Next();
            return -1;
        }
        catch (InsufficientExecutionStackException)
        {
            return depth;
        }
        catch (AggregateException e) when (e.InnerExceptions is [InsufficientExecutionStackException])
        {
            // A scope throws an aggregate (docs/exceptions.md); the nested scopes' aggregates are
            // flattened into it, so it holds the one exception of the deepest scope.
            return depth;
        }
    }

    /// <summary>Nests <paramref name="enter"/> (an Install or a Scope) <paramref name="levels"/> deep and returns the depth reached (−1 when it threw).</summary>
    private static int Nested(WorkStealingPool pool, int levels, Action<WorkStealingPool, Action> enter)
    {
        int depth = 0;
        void Next()
        {
            if (++depth < levels)
            {
                enter(pool, Next);
            }
        }

        try
        {
            enter(pool, Next);
            return depth;
        }
        catch (Exception e) when (e is InsufficientExecutionStackException or AggregateException)
        {
            return -1;
        }
    }

    /// <summary>How deep the main thread's recursion goes with 256 MB workers (docs/exceptions.md promises it).</summary>
    private const int MainThreadDepth = 300_000;

    /// <summary>A Join whose first half is another such Join, <see cref="Remaining"/> levels deep.</summary>
    private struct ChainJoin : IWork
    {
        public static int Deepest;

        public int Remaining;

        public void Run(ForkContext context)
        {
            int depth = MainThreadDepth - Remaining;
            if (depth > Deepest)
            {
                Volatile.Write(ref Deepest, depth);
            }

            if (Remaining == 0)
            {
                return;
            }

            var a = new ChainJoin { Remaining = Remaining - 1 };
            var b = default(NoWork);
            context.Join(ref a, ref b);
        }
    }

    /// <summary>A Join whose first half is another such Join, without end.</summary>
    private struct DeepJoin : IWork
    {
        /// <summary>The depth reached, written by whichever thread runs the deepest level (a guest continues on a worker).</summary>
        public static int Reached;

        public int Depth;

        public void Run(ForkContext context)
        {
            Reached = Depth;
            var a = new DeepJoin { Depth = Depth + 1 };
            var b = default(NoWork);
            context.Join(ref a, ref b);
        }
    }

    private struct NoWork : IWork
    {
        public readonly void Run(ForkContext context)
        {
        }
    }
}
