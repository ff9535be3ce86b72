using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>tree_sum</c>: a complete binary tree of depth 20 (1,048,575 nodes).</summary>
[MemoryDiagnoser]
public class TreeSumBenchmarks() : TreeSumBenchmarksBase(BinaryTree.LargeDepth)
{
    private const int Nodes = (1 << BinaryTree.LargeDepth) - 1;

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes, Description = "Parallel.Invoke")]
    public long Tpl() => BinaryTree.Tpl(Tree);

    [Benchmark(OperationsPerInvoke = Nodes, Description = "WorkPool Join")]
    public long WorkPool() => BinaryTree.InstallWorkPool(Pool, Tree);

    [Benchmark(OperationsPerInvoke = Nodes, Description = "sequential")]
    public long Sequential() => BinaryTree.Sequential(Tree);
}
