namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>install_empty</c> and <c>install_contended</c>: one empty Install from a thread outside
/// the pool, against <c>Task.Run(() => { }).Wait()</c>.
/// </summary>
internal static class Installs
{
    /// <summary>External threads calling at once in <c>install_contended</c>.</summary>
    internal const int ContendedCallers = 4;

    /// <summary>One empty Install (a static lambda: a cached delegate, no closure, allocation-free).</summary>
    internal static void WorkPool(WorkStealingPool pool) => pool.Install(static () => { });

    /// <summary>TPL's counterpart of an empty Install.</summary>
    internal static void Tpl() => Task.Run(static () => { }).Wait();

    /// <summary><see cref="ContendedCallers"/> external threads, each doing <paramref name="installsPerCaller"/> empty Installs per round.</summary>
    internal static ThreadGang ContendedWorkPool(WorkStealingPool pool, int installsPerCaller) =>
        new(ContendedCallers, _ =>
        {
            for (int i = 0; i < installsPerCaller; i++)
            {
                WorkPool(pool);
            }
        });

    /// <summary><see cref="ContendedCallers"/> external threads, each doing <paramref name="installsPerCaller"/> <see cref="Tpl"/> calls per round.</summary>
    internal static ThreadGang ContendedTpl(int installsPerCaller) =>
        new(ContendedCallers, _ =>
        {
            for (int i = 0; i < installsPerCaller; i++)
            {
                Tpl();
            }
        });
}
