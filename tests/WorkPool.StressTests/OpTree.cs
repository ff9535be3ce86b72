namespace WorkPool.StressTests;

/// <summary>One operation of a stress tree. Immutable once generated; a run records what happened in a <see cref="TreeRun"/>.</summary>
internal sealed class OpNode
{
    public required int Id { get; init; }

    public required StressOp Op { get; init; }

    /// <summary>Index of the pool the operation calls into (for a leaf: the pool it runs on, −1 outside).</summary>
    public required int Pool { get; init; }

    public required int Depth { get; init; }

    public required long Value { get; init; }

    /// <summary>Throws a <see cref="StressFault"/> after its children succeeded (the injected user exception).</summary>
    public required bool Fault { get; init; }

    /// <summary>Leaf busy-work rounds.</summary>
    public int WorkRounds { get; init; }

    /// <summary>Leaf: yields its core once (a schedule perturbation, not synchronization).</summary>
    public bool Yield { get; init; }

    /// <summary>Loops: the minimum chunk length passed to the struct forms.</summary>
    public int MinChunk { get; init; } = 1;

    /// <summary><see cref="StressOp.ForCancel"/>: the iteration that cancels the loop's token after its child ran, or −1.</summary>
    public int CancelAt { get; init; } = -1;

    public OpNode[] Children { get; set; } = [];
}

/// <summary>What trees a scenario generates.</summary>
internal sealed record TreeShape
{
    /// <summary>Number of pools the tree calls into (indices 0 to Pools − 1).</summary>
    public int Pools { get; init; } = 2;

    public int MaxDepth { get; init; } = 16;

    public int MaxNodes { get; init; } = 160;

    /// <summary>Probability that a node throws (the "random 1% of jobs").</summary>
    public double FaultRate { get; init; } = 0.01;

    /// <summary>Probability that an operation calls another pool than the one it runs on.</summary>
    public double CrossPoolRate { get; init; } = 0.3;

    /// <summary>Probability that a node below the root is a leaf (before the depth and node limits force it).</summary>
    public double LeafRate { get; init; } = 0.3;

    public int MaxFanOut { get; init; } = 5;

    public StressOp[] Ops { get; init; } = StressOps.All;
}

/// <summary>Random operation trees and their sequentially computed expected results.</summary>
internal static class OpTree
{
    /// <summary>A random tree whose root is a pool operation called from outside every pool; <paramref name="count"/> is its number of nodes (ids 0 to count − 1).</summary>
    public static OpNode Generate(Random random, TreeShape shape, out int count)
    {
        int next = 0;
        int budget = shape.MaxNodes;
        OpNode root = Node(random, shape, depth: 1, current: -1, ref next, ref budget);
        count = next;
        return root;
    }

    /// <summary>The result the tree must produce when nothing in it throws (computed without a pool).</summary>
    public static long Expected(OpNode node)
    {
        if (node.Op == StressOp.Leaf)
        {
            return Busy(node.Value, node.WorkRounds);
        }

        long hash = Seed(node.Value);
        foreach (OpNode child in node.Children)
        {
            hash = Mix(hash, Expected(child));
        }

        return hash;
    }

    public static long Seed(long value) => value ^ 0x5851F42D4C957F2DL;

    public static long Mix(long hash, long value) => unchecked(((hash ^ value) * -7046029254386353131L) + 0x632BE59BD9B4E019L);

    /// <summary>The leaves' work: xorshift rounds (real work whose result is checked).</summary>
    public static long Busy(long value, int rounds)
    {
        ulong x = (ulong)value | 1;
        for (int i = 0; i < rounds; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return (long)x;
    }

    /// <summary>Deepest node and node count, for reports.</summary>
    public static int MaxDepth(OpNode node) => node.Children.Length == 0 ? node.Depth : node.Children.Max(MaxDepth);

    private static OpNode Node(Random random, TreeShape shape, int depth, int current, ref int next, ref int budget)
    {
        budget--;
        int id = next++;
        long value = random.NextInt64();
        bool fault = random.NextDouble() < shape.FaultRate;
        bool leaf = current >= 0 && (depth >= shape.MaxDepth || budget <= 0 || random.NextDouble() < shape.LeafRate);
        if (leaf)
        {
            return new OpNode
            {
                Id = id,
                Op = StressOp.Leaf,
                Pool = current,
                Depth = depth,
                Value = value,
                Fault = fault,
                WorkRounds = random.Next(0, 96),
                Yield = random.Next(32) == 0,
            };
        }

        StressOp op;
        do
        {
            op = shape.Ops[random.Next(shape.Ops.Length)];
        }
        while (StressOps.NeedsCurrentPool(op) && current < 0);

        int pool = StressOps.NeedsCurrentPool(op) ? current
            : current < 0 || random.NextDouble() < shape.CrossPoolRate ? random.Next(shape.Pools)
            : current;
        int arity = StressOps.ShapeOf(op) switch
        {
            OpShape.One => 1,
            OpShape.Two => 2,
            OpShape.Loop or OpShape.All => random.Next(1, shape.MaxFanOut + 1),
            _ => 0,
        };
        var node = new OpNode
        {
            Id = id,
            Op = op,
            Pool = pool,
            Depth = depth,
            Value = value,
            Fault = fault,
            MinChunk = random.Next(1, 3),
            CancelAt = op == StressOp.ForCancel && random.Next(2) == 0 ? random.Next(arity) : -1,
        };
        var children = new OpNode[arity];
        for (int i = 0; i < arity; i++)
        {
            // Depth first with one shared budget: the first branches go deep (up to MaxDepth),
            // later ones get what is left, so trees mix deep spines and wide shallow parts.
            children[i] = Node(random, shape, depth + 1, pool, ref next, ref budget);
        }

        node.Children = children;
        return node;
    }
}

/// <summary>The injected user exception of one node.</summary>
internal sealed class StressFault(int nodeId) : Exception($"injected fault of node {nodeId}")
{
    public int NodeId { get; } = nodeId;
}

/// <summary>A check inside a running tree failed (e.g. a body ran on the wrong pool); never expected.</summary>
internal sealed class StressCheckException(string message) : Exception(message);
