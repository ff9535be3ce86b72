using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary>
/// The tree-sum suites: one invocation sums the tree once; one operation is one node
/// (the derived class passes the node count as OperationsPerInvoke). The derived classes repeat
/// their three one-line methods because OperationsPerInvoke must be an attribute constant.
/// </summary>
public abstract class TreeSumBenchmarksBase(int depth) : PoolBenchmarkBase
{
    private TreeNode? _tree;

    private protected TreeNode Tree => _tree ?? throw new InvalidOperationException("GlobalSetup has not run.");

    public override void GlobalSetup()
    {
        base.GlobalSetup();
        _tree = BinaryTree.Build(depth);
    }

    public override void GlobalCleanup()
    {
        _tree = null;
        base.GlobalCleanup();
    }
}
