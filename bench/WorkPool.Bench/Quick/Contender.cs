namespace WorkPool.Bench.Quick;

/// <summary>Who runs a workload; its <c>pool=</c> label in the output.</summary>
internal enum Contender
{
    /// <summary><c>pool=workpool</c>: the WorkStealingPool under test.</summary>
    WorkPool,

    /// <summary><c>pool=tpl</c>: .NET's Task/Parallel on the shared ThreadPool.</summary>
    Tpl,

    /// <summary><c>pool=sequential</c>: the plain sequential version on one thread.</summary>
    Sequential,

    /// <summary><c>pool=hardware</c>: the machine itself (the <c>capacity</c> line).</summary>
    Hardware,

    /// <summary><c>pool=defaultobjectpool</c>: Microsoft.Extensions.ObjectPool's DefaultObjectPool (the <c>object_pool</c> baseline, in the TPL column of the ratio table).</summary>
    DefaultObjectPool,
}

/// <summary>Labels of <see cref="Contender"/>.</summary>
internal static class ContenderLabels
{
    internal static string Label(this Contender contender) => contender switch
    {
        Contender.WorkPool => "workpool",
        Contender.Tpl => "tpl",
        Contender.Sequential => "sequential",
        Contender.Hardware => "hardware",
        Contender.DefaultObjectPool => "defaultobjectpool",
        _ => throw new ArgumentOutOfRangeException(nameof(contender), contender, null),
    };
}
