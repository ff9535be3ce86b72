namespace WorkPool.StressTests;

/// <summary>
/// The operations a stress tree is made of: one member per public entry point (and form) of the
/// pool. This enum, <see cref="StressOps.ShapeOf"/> and <see cref="TreeRun"/>'s <c>ExecuteOp</c>
/// switch are the one place to extend when the pool gains an entry point (Scope, Spawn,
/// Broadcast, ...): every scenario then generates and checks it.
/// </summary>
internal enum StressOp
{
    /// <summary>Busy work on the calling thread, no pool call.</summary>
    Leaf,

    /// <summary><c>pool.Install(Func&lt;long&gt;)</c> with a capturing lambda.</summary>
    InstallFunc,

    /// <summary><c>pool.Install(state, static Func)</c>.</summary>
    InstallState,

    /// <summary><c>pool.Install(ref IWork)</c>.</summary>
    InstallStruct,

    /// <summary><c>pool.Install&lt;TWork, long&gt;(IWork&lt;long&gt;)</c>.</summary>
    InstallResult,

    /// <summary><c>pool.Join(Func, Func)</c>.</summary>
    JoinFunc,

    /// <summary><c>pool.Join(state, static Func, static Func)</c>.</summary>
    JoinState,

    /// <summary><c>pool.Join(ref IWork, ref IWork)</c>.</summary>
    JoinStruct,

    /// <summary><c>ForkContext.Join(ref, ref)</c> inside <c>pool.Install(ref IWork)</c>.</summary>
    ContextJoin,

    /// <summary><c>ForkJoin.Join(ref, ref)</c> on the calling worker's pool (generated only on a worker).</summary>
    StaticJoin,

    /// <summary><c>pool.For(0, n, Action&lt;int&gt;)</c>, one child per iteration.</summary>
    ForAction,

    /// <summary><c>pool.For(0, n, state, static Action)</c>.</summary>
    ForState,

    /// <summary><c>pool.For(0, n, ref IForBody, minChunkLength)</c>.</summary>
    ForStruct,

    /// <summary><c>pool.ForRange(0L, n, ref IForRangeBody, minChunkLength)</c>.</summary>
    ForRange,

    /// <summary><c>pool.For(0, n, ref IForBody, minChunkLength, token)</c> where one iteration cancels the token (in half of them): the loop must throw <see cref="OperationCanceledException"/>.</summary>
    ForCancel,

    /// <summary><c>pool.Scope(state, static body)</c> whose body spawns one job per child (state + <c>static</c> lambda form).</summary>
    ScopeState,

    /// <summary><c>pool.Scope(ref IScopeWork)</c>: the body spawns child 0's job, which spawns the other children's jobs (nested spawns, struct form) before it runs its own.</summary>
    ScopeNested,
}

/// <summary>How many children an operation has and how they run.</summary>
internal enum OpShape
{
    /// <summary>No children.</summary>
    Leaf,

    /// <summary>One child, always run.</summary>
    One,

    /// <summary>Two children, both always run (even when the other throws).</summary>
    Two,

    /// <summary>1 to <see cref="TreeShape.MaxFanOut"/> children; once one throws, those not started yet may be skipped.</summary>
    Loop,

    /// <summary>1 to <see cref="TreeShape.MaxFanOut"/> children, all always run (a scope: one job's exception does not stop its siblings).</summary>
    All,
}

/// <summary>Facts about <see cref="StressOp"/> members.</summary>
internal static class StressOps
{
    /// <summary>Every operation except <see cref="StressOp.Leaf"/>.</summary>
    public static readonly StressOp[] All = [.. Enum.GetValues<StressOp>().Where(op => op != StressOp.Leaf)];

    /// <summary>Installs and Joins only: no loops (deep chains of pool hops).</summary>
    public static readonly StressOp[] InstallsAndJoins = [.. All.Where(op => ShapeOf(op) is OpShape.One or OpShape.Two)];

    public static OpShape ShapeOf(StressOp op) => op switch
    {
        StressOp.Leaf => OpShape.Leaf,
        StressOp.InstallFunc or StressOp.InstallState or StressOp.InstallStruct or StressOp.InstallResult => OpShape.One,
        StressOp.JoinFunc or StressOp.JoinState or StressOp.JoinStruct or StressOp.ContextJoin or StressOp.StaticJoin => OpShape.Two,
        StressOp.ForAction or StressOp.ForState or StressOp.ForStruct or StressOp.ForRange or StressOp.ForCancel => OpShape.Loop,
        StressOp.ScopeState or StressOp.ScopeNested => OpShape.All,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "An operation without a shape: add it here."),
    };

    /// <summary>Operations that act on the calling worker's pool and so can only be generated on a worker.</summary>
    public static bool NeedsCurrentPool(StressOp op) => op == StressOp.StaticJoin;
}
