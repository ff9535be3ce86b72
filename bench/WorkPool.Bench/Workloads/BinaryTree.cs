namespace WorkPool.Bench.Workloads;

/// <summary>A node of the complete binary trees of <c>tree_sum</c> and <c>tree_sum_small</c>.</summary>
internal sealed class TreeNode(long value, TreeNode? left, TreeNode? right)
{
    internal long Value { get; } = value;

    internal TreeNode? Left { get; } = left;

    internal TreeNode? Right { get; } = right;
}

/// <summary>
/// <c>tree_sum</c> / <c>tree_sum_small</c>: a complete binary tree of class nodes summed by
/// recursive fork-join over left/right. In a complete tree a node has either two children or none.
/// </summary>
internal static class BinaryTree
{
    /// <summary>Depth of <c>tree_sum</c>'s tree (1,048,575 nodes).</summary>
    internal const int LargeDepth = 20;

    /// <summary>Depth of <c>tree_sum_small</c>'s tree (1,023 nodes).</summary>
    internal const int SmallDepth = 10;

    /// <summary>Number of nodes of a complete tree of <paramref name="depth"/> levels.</summary>
    internal static long NodeCount(int depth) => (1L << depth) - 1;

    /// <summary>Builds a complete tree of <paramref name="depth"/> levels (depth 1 is a single leaf), values 1, 2, 3, … in depth-first order.</summary>
    internal static TreeNode Build(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        long next = 1;
        return BuildFrom(depth, ref next);
    }

    /// <summary>The plain recursive sum.</summary>
    internal static long Sequential(TreeNode node) =>
        node.Left is null ? node.Value : node.Value + Sequential(node.Left) + Sequential(node.Right!);

    /// <summary>The sum with WorkPool Joins, installed into <paramref name="pool"/> from an outside thread.</summary>
    internal static long InstallWorkPool(WorkStealingPool pool, TreeNode root)
    {
        var body = new SumBody(root);
        pool.Install(ref body);
        return body.Result;
    }

    /// <summary>The sum with one WorkPool Join per inner node (struct bodies: no allocation). Runs on a worker.</summary>
    internal static long WorkPool(ForkContext context, TreeNode node)
    {
        if (node.Left is null)
        {
            return node.Value;
        }

        var left = new SumBody(node.Left);
        var right = new SumBody(node.Right!);
        context.Join(ref left, ref right);
        return node.Value + left.Result + right.Result;
    }

    /// <summary>The sum with one <see cref="Parallel.Invoke(Action[])"/> per inner node.</summary>
    internal static long Tpl(TreeNode node)
    {
        if (node.Left is null)
        {
            return node.Value;
        }

        long left = 0;
        long right = 0;
        Parallel.Invoke(() => left = Tpl(node.Left), () => right = Tpl(node.Right!));
        return node.Value + left + right;
    }

    private static TreeNode BuildFrom(int depth, ref long next)
    {
        long value = next++;
        if (depth == 1)
        {
            return new TreeNode(value, null, null);
        }

        TreeNode left = BuildFrom(depth - 1, ref next);
        TreeNode right = BuildFrom(depth - 1, ref next);
        return new TreeNode(value, left, right);
    }

    /// <summary>Runs <see cref="WorkPool(ForkContext, TreeNode)"/>; used for the two halves of a Join and for the root Install.</summary>
    internal struct SumBody(TreeNode node) : IWork
    {
        public long Result;

        public void Run(ForkContext context) => Result = WorkPool(context, node);
    }
}
