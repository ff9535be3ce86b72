using BenchmarkDotNet.Attributes;
using WorkPool.Bench.Workloads;

namespace WorkPool.Bench.Benchmarks;

/// <summary><c>tree_sum_small</c>: a complete binary tree of depth 10 (1,023 nodes).</summary>
[MemoryDiagnoser]
public class TreeSumSmallBenchmarks() : TreeSumBenchmarksBase(BinaryTree.SmallDepth)
{
    private const int Nodes = (1 << BinaryTree.SmallDepth) - 1;

    [Benchmark(Baseline = true, OperationsPerInvoke = Nodes, Description = "Parallel.Invoke")]
    public long Tpl() => BinaryTree.Tpl(Tree);

    [Benchmark(OperationsPerInvoke = Nodes, Description = "WorkPool Join")]
    public long WorkPool() => BinaryTree.InstallWorkPool(Pool, Tree);

    [Benchmark(OperationsPerInvoke = Nodes, Description = "sequential")]
    public long Sequential() => BinaryTree.Sequential(Tree);
}
