namespace WorkPool.Tests;

/// <summary>
/// The stolen-Join scenario: a Join whose second half B must run on another worker than its
/// first half A, because A does not go on before B has started there (A waits for it, bounded by
/// <see cref="Gate"/>). A calls one of the <see cref="AWaitsForB()"/> forms, B calls
/// <see cref="BStarts"/>; <see cref="Run"/> starts such a Join from outside or from a worker with
/// the other worker nudged, and <see cref="Pair"/> is the Join through <see cref="ForkContext"/>.
/// </summary>
internal sealed class StolenJoin
{
    /// <summary>Open once A runs.</summary>
    public Gate ARunning { get; } = new("A to run");

    /// <summary>Open once B has started (on another worker than A).</summary>
    public Gate BStarted { get; } = new("B to start on another worker");

    /// <summary>The workers A and B ran on.</summary>
    public int IndexA = -2;
    public int IndexB = -2;

    /// <summary>How many times B ran; 1 once B has finished (written by <see cref="HalfB"/>).</summary>
    public int BRuns;
    public int BFinished;

    /// <summary>How many empty Joins A forked while it waited (<see cref="AWaitsForB(ForkContext)"/>).</summary>
    public int EmptyJoins;

    /// <summary>For <see cref="Pair"/>: A throws <see cref="ArgumentException"/>("A failed") after B started; B throws <see cref="InvalidOperationException"/>("B failed").</summary>
    public bool AThrows { get; init; }
    public bool BThrows { get; init; }

    /// <summary>
    /// In A, when something other than A's own forks gets B taken (the Join's offer to an idle
    /// worker, or the nudge of <see cref="Run"/>): records A's worker, opens
    /// <see cref="ARunning"/>, and blocks until B has started.
    /// </summary>
    public void AWaitsForB()
    {
        IndexA = WorkStealingPool.CurrentWorkerIndex;
        ARunning.Signal();
        BStarted.Wait();
    }

    /// <summary>
    /// In A, run through <paramref name="context"/>: records A's worker, opens
    /// <see cref="ARunning"/>, and waits until B has started, forking an empty Join each round: a
    /// worker offers its recorded halves only when it enters a Join (and, while a worker searches,
    /// at most once per heartbeat), so a wait that never forked would never offer B.
    /// </summary>
    public void AWaitsForB(ForkContext context)
    {
        IndexA = context.WorkerIndex;
        ARunning.Signal();
        long deadline = Environment.TickCount64 + (long)Bounded.WaitLimit.TotalMilliseconds;
        while (!BStarted.IsOpen)
        {
            Assert.True(Environment.TickCount64 < deadline, "B never started while A ran: it was not promoted to an idle worker.");
            var x = new EmptyWork();
            var y = new EmptyWork();
            context.Join(ref x, ref y);
            EmptyJoins++;
            Thread.SpinWait(10);
        }
    }

    /// <summary>In B: records B's worker, counts the run and lets A go on.</summary>
    public void BStarts()
    {
        IndexB = WorkStealingPool.CurrentWorkerIndex;
        Interlocked.Increment(ref BRuns);
        BStarted.Signal();
    }

    /// <summary>B ran on another worker than A.</summary>
    public void AssertBRanOnAnotherWorker() => Assert.NotEqual(IndexA, IndexB);

    /// <summary>
    /// Runs <paramref name="join"/> (whose A calls <see cref="AWaitsForB()"/> and whose B calls
    /// <see cref="BStarts"/>) from outside or from inside a 2-worker pool, and makes sure the other
    /// worker comes for B: once A runs, an outside Install wakes it, and its search looks at the
    /// other deques before the injector ring. <paramref name="whileBRuns"/>, if given, runs on a
    /// third thread once A runs and B has started. Asserts at the end that B ran on another worker.
    /// </summary>
    public void Run(WorkStealingPool pool, bool fromWorker, Action join, Action? whileBRuns = null)
    {
        Assert.Equal(2, pool.ThreadCount);
        Bounded.Threads(whileBRuns is null ? 2 : 3, t =>
        {
            switch (t)
            {
                case 0:
                    Sides.On(pool, fromWorker, join);
                    break;
                case 1:
                    ARunning.Wait();
                    pool.Install(static () => { });
                    break;
                default:
                    ARunning.Wait();
                    BStarted.Wait();
                    whileBRuns!();
                    break;
            }
        });
        AssertBRanOnAnotherWorker();
    }

    /// <summary>The scenario through <see cref="ForkContext.Join{TA, TB}"/>: <see cref="HalfA"/> and <see cref="HalfB"/>, their results copied out even when one throws.</summary>
    internal struct Pair(StolenJoin join) : IWork
    {
        public int ResultA;
        public int ResultB;

        public void Run(ForkContext context)
        {
            var a = new HalfA(join);
            var b = new HalfB(join);
            try
            {
                context.Join(ref a, ref b);
            }
            finally
            {
                ResultA = a.Result;
                ResultB = b.Result;
            }
        }
    }

    /// <summary>A: waits (forking) until B started, then sets its result to 7.</summary>
    internal struct HalfA(StolenJoin join) : IWork
    {
        public int Result;

        public void Run(ForkContext context)
        {
            join.AWaitsForB(context);
            Result = 7;
            if (join.AThrows)
            {
                throw new ArgumentException("A failed");
            }
        }
    }

    /// <summary>B: lets A go on, sets its result to 42 and says it finished.</summary>
    internal struct HalfB(StolenJoin join) : IWork
    {
        public int Result;

        public void Run(ForkContext context)
        {
            join.BStarts();
            Result = 42;
            Volatile.Write(ref join.BFinished, 1);
            if (join.BThrows)
            {
                throw new InvalidOperationException("B failed");
            }
        }
    }

    private readonly struct EmptyWork : IWork
    {
        public void Run(ForkContext context)
        {
        }
    }
}
