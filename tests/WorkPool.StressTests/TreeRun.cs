using System.Text;

namespace WorkPool.StressTests;

/// <summary>
/// Runs one <see cref="OpNode"/> tree on a set of pools and records, per node, how often it
/// started and finished, the exception it threw itself (an injected fault, or the
/// <see cref="ObjectDisposedException"/> of a refused call), so that <see cref="Verify"/> can
/// account for every node and every exception exactly.
/// </summary>
internal sealed class TreeRun
{
    private readonly int[] _started;
    private readonly int[] _finished;
    private readonly Exception?[] _thrown;
    private readonly bool[] _refused;
    private readonly bool[] _cancelled;
    private readonly int[] _callerThread;

    public TreeRun(WorkStealingPool[] pools, OpNode root, int count)
    {
        Pools = pools;
        Root = root;
        _started = new int[count];
        _finished = new int[count];
        _thrown = new Exception?[count];
        _refused = new bool[count];
        _cancelled = new bool[count];
        _callerThread = new int[count];
    }

    public WorkStealingPool[] Pools { get; }

    public OpNode Root { get; }

    /// <summary>Runs the tree from the calling thread (outside every pool); returns its result or the exception that reached the root.</summary>
    public (long Result, Exception? Error) RunRoot()
    {
        try
        {
            return (Execute(Root), null);
        }
#pragma warning disable CA1031 // Every exception that reaches the root is accounted for by Verify.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (0, e);
        }
    }

    /// <summary>Runs one node: its operation, then its own fault if it has one.</summary>
    public long Execute(OpNode node)
    {
        Interlocked.Increment(ref _started[node.Id]);
        Volatile.Write(ref _callerThread[node.Id], Environment.CurrentManagedThreadId);
        try
        {
            long result;
            try
            {
                result = ExecuteOp(node);
            }
            catch (ObjectDisposedException e) when (node.Op != StressOp.Leaf && NoChildStarted(node))
            {
                // This node's own call was refused (nothing of it ran). An ObjectDisposedException
                // from deeper down has started children and was recorded where it was thrown.
                if (!Pools[node.Pool].IsDisposed)
                {
                    throw new StressCheckException($"node {node.Id} ({node.Op}) got ObjectDisposedException from pool {node.Pool}, which is not disposed: {e}");
                }

                _refused[node.Id] = true;
                Volatile.Write(ref _thrown[node.Id], e);
                throw;
            }

            if (node.Fault)
            {
                var fault = new StressFault(node.Id);
                Volatile.Write(ref _thrown[node.Id], fault);
                throw fault;
            }

            return result;
        }
        finally
        {
            Interlocked.Increment(ref _finished[node.Id]);
        }
    }

    /// <summary>
    /// The one switch over <see cref="StressOp"/>: how each operation calls the pool. Every
    /// non-leaf result is <see cref="OpTree.Mix"/> of the node's seed and its children's results
    /// in order, exactly as <see cref="OpTree.Expected"/> computes it.
    /// </summary>
    private long ExecuteOp(OpNode node)
    {
        switch (node.Op)
        {
            case StressOp.Leaf:
                if (node.Yield)
                {
                    Thread.Yield();
                }

                return OpTree.Busy(node.Value, node.WorkRounds);

            case StressOp.InstallFunc:
                return Combine(node, Pool(node).Install(() => Child(node, 0)));

            case StressOp.InstallState:
                return Combine(node, Pool(node).Install((Run: this, Node: node), static s => s.Run.Child(s.Node, 0)));

            case StressOp.InstallStruct:
            {
                var work = new ChildWork(this, node, 0);
                Pool(node).Install(ref work);
                return Combine(node, work.Result);
            }

            case StressOp.InstallResult:
                return Combine(node, Pool(node).Install<ChildResultWork, long>(new ChildResultWork(this, node, 0)));

            case StressOp.JoinFunc:
            {
                (long a, long b) = Pool(node).Join(() => Child(node, 0), () => Child(node, 1));
                return Combine(node, a, b);
            }

            case StressOp.JoinState:
            {
                (long a, long b) = Pool(node).Join((Run: this, Node: node), static s => s.Run.Child(s.Node, 0), static s => s.Run.Child(s.Node, 1));
                return Combine(node, a, b);
            }

            case StressOp.JoinStruct:
            {
                var a = new ChildWork(this, node, 0);
                var b = new ChildWork(this, node, 1);
                Pool(node).Join(ref a, ref b);
                return Combine(node, a.Result, b.Result);
            }

            case StressOp.ContextJoin:
            {
                var work = new ContextJoinWork(this, node);
                Pool(node).Install(ref work);
                return Combine(node, work.A, work.B);
            }

            case StressOp.StaticJoin:
            {
                ExpectPool(node);
                var a = new ChildWork(this, node, 0);
                var b = new ChildWork(this, node, 1);
                ForkJoin.Join(ref a, ref b);
                return Combine(node, a.Result, b.Result);
            }

            case StressOp.ForAction:
            {
                long[] results = new long[node.Children.Length];
                Pool(node).For(0, results.Length, i => results[i] = Child(node, i));
                return Combine(node, results);
            }

            case StressOp.ForState:
            {
                long[] results = new long[node.Children.Length];
                Pool(node).For(0, results.Length, (Run: this, Node: node, Results: results), static (s, i) => s.Results[i] = s.Run.Child(s.Node, i));
                return Combine(node, results);
            }

            case StressOp.ForStruct:
            {
                long[] results = new long[node.Children.Length];
                var body = new ChildForBody(this, node, results);
                Pool(node).For(0, results.Length, ref body, node.MinChunk);
                return Combine(node, results);
            }

            case StressOp.ForRange:
            {
                long[] results = new long[node.Children.Length];
                var body = new ChildRangeBody(this, node, results);
                Pool(node).ForRange(0L, results.Length, ref body, node.MinChunk);
                return Combine(node, results);
            }

            case StressOp.ForCancel:
            {
                long[] results = new long[node.Children.Length];
                using var cancellation = new CancellationTokenSource();
                var body = new CancellingForBody(this, node, results, cancellation);
                try
                {
                    Pool(node).For(0, results.Length, ref body, node.MinChunk, cancellation.Token);
                }
                catch (OperationCanceledException e) when (e.CancellationToken == cancellation.Token)
                {
                    // The loop's own exception, thrown after every piece finished.
                    Volatile.Write(ref _thrown[node.Id], e);
                    throw;
                }

                if (cancellation.IsCancellationRequested)
                {
                    throw new StressCheckException($"node {node.Id}: a loop whose token was cancelled returned normally");
                }

                return Combine(node, results);
            }

            case StressOp.ScopeState:
            {
                long[] results = new long[node.Children.Length];
                Pool(node).Scope((Run: this, Node: node, Results: results), static (s, scope) =>
                {
                    for (int i = 0; i < s.Results.Length; i++)
                    {
                        scope.Spawn((s.Run, s.Node, s.Results, Index: i), static (c, _) => c.Results[c.Index] = c.Run.Child(c.Node, c.Index));
                    }
                });
                return Combine(node, results);
            }

            case StressOp.ScopeNested:
            {
                var body = new NestedScopeBody(this, node, new long[node.Children.Length]);
                Pool(node).Scope(ref body);
                return Combine(node, body.Results);
            }

            default:
                throw new StressCheckException($"StressOp.{node.Op} has no case in TreeRun.ExecuteOp.");
        }
    }

    /// <summary>Runs child <paramref name="index"/> of <paramref name="node"/>, after checking that it runs on the pool <paramref name="node"/> called.</summary>
    internal long Child(OpNode node, int index)
    {
        ExpectPool(node);
        return Execute(node.Children[index]);
    }

    /// <summary><see cref="StressOp.ForCancel"/>: iteration <see cref="OpNode.CancelAt"/> cancels its loop (after its child ran).</summary>
    internal void Cancel(OpNode node, CancellationTokenSource cancellation)
    {
        Volatile.Write(ref _cancelled[node.Id], true);
        cancellation.Cancel();
    }

    internal void ExpectPool(OpNode node)
    {
        WorkStealingPool? current = WorkStealingPool.Current;
        // A loop called from outside its pool runs pieces on the calling thread too.
        bool callerTakesPart = StressOps.ShapeOf(node.Op) == OpShape.Loop
            && Volatile.Read(ref _callerThread[node.Id]) == Environment.CurrentManagedThreadId;
        if (current != Pools[node.Pool] && !callerTakesPart)
        {
            throw new StressCheckException($"a child of node {node.Id} ({node.Op}) ran on pool {Array.IndexOf(Pools, current)} (worker {WorkStealingPool.CurrentWorkerIndex}) instead of pool {node.Pool}");
        }
    }

    private WorkStealingPool Pool(OpNode node) => Pools[node.Pool];

    private static long Combine(OpNode node, params ReadOnlySpan<long> results)
    {
        long hash = OpTree.Seed(node.Value);
        foreach (long result in results)
        {
            hash = OpTree.Mix(hash, result);
        }

        return hash;
    }

    private bool NoChildStarted(OpNode node)
    {
        foreach (OpNode child in node.Children)
        {
            if (Volatile.Read(ref _started[child.Id]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks the finished run exactly; returns null when everything is accounted for, else what
    /// is wrong. Rules: every node started at most once and finished as often as it started;
    /// every exception a node threw (fault, refusal, or a cancelled loop's own) reached the root
    /// exactly once, and no other exception did; a node that did not start must be a child of a
    /// loop that had an exception in it or was cancelled, of a refused call, or of a node that
    /// did not start; without exceptions
    /// the root's result equals <see cref="OpTree.Expected"/>.
    /// </summary>
    public string? Verify(long result, Exception? error)
    {
        var problems = new List<string>();
        List<Exception> arrived = [];
        Flatten(error, arrived);
        var thrown = new HashSet<Exception>(ReferenceEqualityComparer.Instance);
        foreach (Exception? e in _thrown)
        {
            if (e is not null)
            {
                thrown.Add(e);
            }
        }

        var seen = new HashSet<Exception>(ReferenceEqualityComparer.Instance);
        foreach (Exception e in arrived)
        {
            if (!thrown.Contains(e))
            {
                problems.Add($"unexpected exception at the root: {e}");
            }
            else if (!seen.Add(e))
            {
                problems.Add($"exception arrived twice: {e.Message}");
            }
        }

        foreach (Exception e in thrown)
        {
            if (!seen.Contains(e))
            {
                problems.Add($"exception lost: {e.GetType().Name}: {e.Message}");
            }
        }

        CheckRuns(Root, mayBeSkipped: false, problems);
        if (thrown.Count == 0 && error is null)
        {
            long expected = OpTree.Expected(Root);
            if (result != expected)
            {
                problems.Add($"wrong result {result}, expected {expected}");
            }
        }

        if (problems.Count == 0)
        {
            return null;
        }

        var message = new StringBuilder();
        message.Append(problems.Count).Append(" problem(s) in a tree of ").Append(_started.Length).Append(" nodes (root ").Append(Root.Op).Append("):");
        foreach (string problem in problems.Take(12))
        {
            message.Append("\n  ").Append(problem);
        }

        return message.ToString();
    }

    private void CheckRuns(OpNode node, bool mayBeSkipped, List<string> problems)
    {
        int started = Volatile.Read(ref _started[node.Id]);
        int finished = Volatile.Read(ref _finished[node.Id]);
        if (started != finished)
        {
            problems.Add($"node {node.Id} ({node.Op}) started {started} times but finished {finished} times after its root returned");
        }

        if (started > 1)
        {
            problems.Add($"node {node.Id} ({node.Op}, depth {node.Depth}) ran {started} times");
        }

        if (started == 0 && !mayBeSkipped)
        {
            problems.Add($"node {node.Id} ({node.Op}, depth {node.Depth}) never ran (lost)");
        }

        bool childrenMayBeSkipped = started == 0 || _refused[node.Id]
            || (StressOps.ShapeOf(node.Op) == OpShape.Loop && (SubtreeThrew(node) || _cancelled[node.Id]));
        bool childrenMustNotRun = started == 0 || _refused[node.Id];
        foreach (OpNode child in node.Children)
        {
            if (childrenMustNotRun && Volatile.Read(ref _started[child.Id]) != 0)
            {
                problems.Add($"node {child.Id} ({child.Op}) ran although its parent {node.Id} ({node.Op}) {(started == 0 ? "never ran" : "was refused")}");
            }

            CheckRuns(child, childrenMayBeSkipped, problems);
        }
    }

    private bool SubtreeThrew(OpNode node)
    {
        foreach (OpNode child in node.Children)
        {
            if (_thrown[child.Id] is not null || SubtreeThrew(child))
            {
                return true;
            }
        }

        return false;
    }

    private static void Flatten(Exception? error, List<Exception> into)
    {
        if (error is AggregateException aggregate)
        {
            foreach (Exception inner in aggregate.InnerExceptions)
            {
                Flatten(inner, into);
            }
        }
        else if (error is not null)
        {
            into.Add(error);
        }
    }

    /// <summary>Number of nodes that started (after the run: the operations actually performed).</summary>
    public int StartedCount()
    {
        int count = 0;
        foreach (int started in _started)
        {
            count += started == 0 ? 0 : 1;
        }

        return count;
    }

    /// <summary>For hang reports: how far the tree got, and the operations in progress none of whose children is (where it is stuck).</summary>
    public string Progress()
    {
        int started = 0;
        int inProgress = 0;
        var frontier = new List<OpNode>();
        Walk(Root);
        IEnumerable<string> stuck = frontier.Take(6).Select(n => $"#{n.Id} {n.Op}→pool {n.Pool} (depth {n.Depth})");
        return $"{started}/{_started.Length} nodes started, {inProgress} in progress; stuck at: {string.Join(", ", stuck)}";

        bool Walk(OpNode node)
        {
            int s = Volatile.Read(ref _started[node.Id]);
            started += s == 0 ? 0 : 1;
            bool childInProgress = false;
            foreach (OpNode child in node.Children)
            {
                childInProgress |= Walk(child);
            }

            if (s == Volatile.Read(ref _finished[node.Id]))
            {
                return childInProgress;
            }

            inProgress++;
            if (!childInProgress)
            {
                frontier.Add(node);
            }

            return true;
        }
    }
}

/// <summary>Runs one child of a node as a struct body (Install, Join and ForkJoin forms).</summary>
internal struct ChildWork(TreeRun run, OpNode node, int index) : IWork
{
    public long Result;

    public void Run(ForkContext context) => Result = run.Child(node, index);
}

/// <summary>Runs one child of a node as a result-returning struct body.</summary>
internal readonly struct ChildResultWork(TreeRun run, OpNode node, int index) : IWork<long>
{
    public long Run(ForkContext context) => run.Child(node, index);
}

/// <summary>Installed into the node's pool; forks the node's two children through the <see cref="ForkContext"/> it is given.</summary>
internal struct ContextJoinWork(TreeRun run, OpNode node) : IWork
{
    public long A;
    public long B;

    public void Run(ForkContext context)
    {
        run.ExpectPool(node);
        if (context.Pool != run.Pools[node.Pool])
        {
            throw new StressCheckException($"node {node.Id}: the ForkContext names another pool than the one its body runs on");
        }

        var a = new ChildWork(run, node, 0);
        var b = new ChildWork(run, node, 1);
        context.Join(ref a, ref b);
        A = a.Result;
        B = b.Result;
    }
}

/// <summary>Loop body: iteration i runs child i.</summary>
internal readonly struct ChildForBody(TreeRun run, OpNode node, long[] results) : IForBody
{
    public void Invoke(int index) => results[index] = run.Child(node, index);
}

/// <summary>Loop body of <see cref="StressOp.ForCancel"/>: iteration i runs child i, and iteration <see cref="OpNode.CancelAt"/> then cancels the loop.</summary>
internal readonly struct CancellingForBody(TreeRun run, OpNode node, long[] results, CancellationTokenSource cancellation) : IForBody
{
    public void Invoke(int index)
    {
        results[index] = run.Child(node, index);
        if (index == node.CancelAt)
        {
            run.Cancel(node, cancellation);
        }
    }
}

/// <summary>Range body: runs the children of its sub-range.</summary>
internal readonly struct ChildRangeBody(TreeRun run, OpNode node, long[] results) : IForRangeBody
{
    public void Invoke(long fromInclusive, long toExclusive)
    {
        for (long i = fromInclusive; i < toExclusive; i++)
        {
            results[i] = run.Child(node, (int)i);
        }
    }
}

/// <summary>Scope body of <see cref="StressOp.ScopeNested"/>: spawns child 0's job, which spawns the others.</summary>
internal readonly struct NestedScopeBody(TreeRun run, OpNode node, long[] results) : IScopeWork
{
    public long[] Results => results;

    public void Run(Scope scope) => scope.Spawn(new ScopeChildJob(run, node, results, 0, spawnsSiblings: true));
}

/// <summary>A spawned job that runs one child of a scope node; the first one spawns its siblings first (nested spawns).</summary>
internal readonly struct ScopeChildJob(TreeRun run, OpNode node, long[] results, int index, bool spawnsSiblings) : IScopeWork
{
    public void Run(Scope scope)
    {
        if (spawnsSiblings)
        {
            for (int i = 1; i < results.Length; i++)
            {
                scope.Spawn(new ScopeChildJob(run, node, results, i, spawnsSiblings: false));
            }
        }

        results[index] = run.Child(node, index);
    }
}
