namespace WorkPool.Diagnostics;

/// <summary>Whose figures a <see cref="ThreadStatistics"/> holds.</summary>
public enum ThreadStatisticsKind
{
    /// <summary>A worker thread of the pool.</summary>
    Worker,

    /// <summary>A thread outside the pool that published work into it (its own slot; a slot passes to a new thread after its owner exits).</summary>
    OutsideThread,

    /// <summary>The one slot that outside threads share when every other outside slot is held by a live thread.</summary>
    SharedOutsideSlot,

    /// <summary>The sum over all threads of the pool (<see cref="PoolStatistics.Total"/>).</summary>
    Total,

    /// <summary>A guest slot: the participant that threads outside the pool become for the length of a call (its figures sum over every thread that used it).</summary>
    Guest,
}
