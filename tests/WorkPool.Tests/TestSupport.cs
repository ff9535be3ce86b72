using System.Runtime.CompilerServices;

namespace WorkPool.Tests;

/// <summary>Creates small, uniquely named pools for tests.</summary>
internal static class Pools
{
    public static WorkStealingPool Create(int threads, Action<WorkStealingPoolOptions>? configure = null, [CallerMemberName] string test = "")
    {
        var options = new WorkStealingPoolOptions { ThreadCount = threads, ThreadNamePrefix = "wp." + test };
        configure?.Invoke(options);
        return new WorkStealingPool(options);
    }

    /// <summary>
    /// A pool without guest slots: every call from outside is run by a worker, through the
    /// injector ring (for tests of that path, and of where work runs when it must run on a worker).
    /// </summary>
    public static WorkStealingPool CreateWithoutGuests(int threads, Action<WorkStealingPoolOptions>? configure = null, [CallerMemberName] string test = "") =>
        Create(threads, options => { options.GuestSlots = 0; configure?.Invoke(options); }, test);
}

/// <summary>Where a test calls the API from.</summary>
internal static class Sides
{
    /// <summary>
    /// Runs <paramref name="body"/> on the calling thread, which must be outside every pool (its
    /// calls into the pool then run as guest calls), or, when <paramref name="fromWorker"/>,
    /// inside a job on a worker thread of <paramref name="pool"/>.
    /// </summary>
    public static void On(WorkStealingPool pool, bool fromWorker, Action body)
    {
        if (fromWorker)
        {
            OnWorker(pool, body);
        }
        else
        {
            Assert.Null(WorkStealingPool.Current);
            Assert.Equal(-1, WorkStealingPool.CurrentWorkerIndex);
            body();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a job on a worker thread of <paramref name="pool"/> (a
    /// fire-and-forget spawn from outside, which only workers run) and waits for it, bounded;
    /// rethrows what it threw.
    /// </summary>
    public static void OnWorker(WorkStealingPool pool, Action body)
    {
        Exception? error = null;
        var done = new Gate("the job on a worker");
        pool.Spawn(() =>
        {
            try
            {
                Assert.Same(pool, WorkStealingPool.Current);
                Assert.InRange(WorkStealingPool.CurrentWorkerIndex, 0, pool.ThreadCount - 1);
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Signal();
            }
        });
        done.Wait();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Asserts where a job ran: on a participant of <paramref name="pool"/> (a worker, or a guest
    /// call of a thread outside the pool), and, when the caller was a participant of that pool
    /// (<paramref name="callerIndex"/> ≥ 0), inline on the caller.
    /// </summary>
    public static void AssertRanOn(WorkStealingPool pool, int callerIndex, WorkStealingPool? seenPool, int seenIndex)
    {
        Assert.Same(pool, seenPool);
        Assert.InRange(seenIndex, 0, pool.ParticipantCount - 1);
        if (callerIndex >= 0)
        {
            Assert.Equal(callerIndex, seenIndex);
        }
    }
}

/// <summary>Bursts of jobs that can only finish together.</summary>
internal static class Bursts
{
    /// <summary>
    /// Installs <paramref name="jobs"/> jobs from as many outside threads at once, each job waiting
    /// at a rendezvous of all of them (<paramref name="what"/>): they finish only if every one runs
    /// at the same time, so each on a worker of its own, and every worker they need must be woken.
    /// Returns the worker each job ran on.
    /// </summary>
    public static int[] InstallTogether(WorkStealingPool pool, int jobs, string what)
    {
        var allRunning = new Gate(what, jobs);
        var indices = new int[jobs];
        Bounded.Threads(jobs, t => indices[t] = pool.Install(allRunning, static g =>
        {
            g.SignalAndWait();
            return WorkStealingPool.CurrentWorkerIndex;
        }));
        return indices;
    }
}

/// <summary>Where a job ran, recorded from inside it.</summary>
internal struct Seen
{
    public WorkStealingPool? Pool;
    public int Index;
    public int Runs;

    public static Seen None => new() { Index = -2 };

    public void Record()
    {
        Pool = WorkStealingPool.Current;
        Index = WorkStealingPool.CurrentWorkerIndex;
        Runs++;
    }
}

/// <summary>A struct body whose fields carry its result back (the <see cref="IWork"/> forms).</summary>
internal struct AddWork : IWork
{
    public int X;
    public int Y;
    public int Sum;
    public int Runs;
    public int WorkerIndex;
    public WorkStealingPool? Pool;

    public AddWork(int x, int y)
    {
        X = x;
        Y = y;
        WorkerIndex = -2;
    }

    public void Run(ForkContext context)
    {
        Sum = X + Y;
        Runs++;
        WorkerIndex = WorkStealingPool.CurrentWorkerIndex;
        Pool = WorkStealingPool.Current;
    }
}

/// <summary>A result-returning struct body (the <see cref="IWork{TResult}"/> forms).</summary>
internal readonly struct TripleWork(long x) : IWork<long>
{
    public long Run(ForkContext context) => x * 3;
}

/// <summary>A result-returning struct body with a reference-type result.</summary>
internal readonly struct WhereWork(string tag) : IWork<string>
{
    public string Run(ForkContext context) => $"{tag}@{WorkStealingPool.CurrentWorkerIndex}";
}

/// <summary>Fibonacci, sequentially and through every Join form.</summary>
internal static class Fib
{
    public static long Sequential(int n) => n < 2 ? n : Sequential(n - 1) + Sequential(n - 2);

    /// <summary>Join(Func, Func) with capturing lambdas.</summary>
    public static long Funcs(WorkStealingPool pool, int n)
    {
        if (n < 2)
        {
            return n;
        }

        (long a, long b) = pool.Join(() => Funcs(pool, n - 1), () => Funcs(pool, n - 2));
        return a + b;
    }

    /// <summary>Join(state, Func, Func) with static lambdas (allocation-free).</summary>
    public static long State(WorkStealingPool pool, int n)
    {
        if (n < 2)
        {
            return n;
        }

        (long a, long b) = pool.Join((pool, n), static s => State(s.pool, s.n - 1), static s => State(s.pool, s.n - 2));
        return a + b;
    }

    /// <summary>The static ForkJoin.Join(state, Func, Func) (acts on the current pool).</summary>
    public static long Static(int n)
    {
        if (n < 2)
        {
            return n;
        }

        (long a, long b) = ForkJoin.Join(n, static n => Static(n - 1), static n => Static(n - 2));
        return a + b;
    }
}

/// <summary>Fibonacci as a struct body through Join(ref, ref) (allocation-free).</summary>
internal struct FibWork(WorkStealingPool pool, int n) : IWork
{
    public long Result;

    public void Run(ForkContext context)
    {
        if (n < 2)
        {
            Result = n;
            return;
        }

        var a = new FibWork(pool, n - 1);
        var b = new FibWork(pool, n - 2);
        pool.Join(ref a, ref b);
        Result = a.Result + b.Result;
    }
}

/// <summary>Fibonacci as a result-returning struct body through Join&lt;TA, TB, TResultA, TResultB&gt;.</summary>
internal readonly struct FibResultWork(WorkStealingPool pool, int n) : IWork<long>
{
    public long Run(ForkContext context)
    {
        if (n < 2)
        {
            return n;
        }

        (long a, long b) = pool.Join<FibResultWork, FibResultWork, long, long>(new FibResultWork(pool, n - 1), new FibResultWork(pool, n - 2));
        return a + b;
    }
}

/// <summary>A binary tree for Join-based reductions.</summary>
internal sealed class TreeNode
{
    public long Value;
    public TreeNode? Left;
    public TreeNode? Right;

    /// <summary>A complete tree of the given depth with deterministic pseudo-random values.</summary>
    public static TreeNode Build(int depth, ref uint seed)
    {
        seed = (seed * 1664525u) + 1013904223u;
        var node = new TreeNode { Value = seed % 1000 };
        if (depth > 1)
        {
            node.Left = Build(depth - 1, ref seed);
            node.Right = Build(depth - 1, ref seed);
        }

        return node;
    }

    public static long SumSequential(TreeNode? node) =>
        node is null ? 0 : node.Value + SumSequential(node.Left) + SumSequential(node.Right);

    public static long SumJoin(WorkStealingPool pool, TreeNode? node)
    {
        if (node is null)
        {
            return 0;
        }

        (long left, long right) = pool.Join((pool, node), static s => SumJoin(s.pool, s.node.Left), static s => SumJoin(s.pool, s.node.Right));
        return node.Value + left + right;
    }
}
