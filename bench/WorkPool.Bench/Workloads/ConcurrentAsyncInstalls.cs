using System.Diagnostics;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>install_async_concurrent</c>: <see cref="Callers"/> async callers on the .NET thread pool
/// (the requests of a service), each awaiting <see cref="AwaitsPerCaller"/> calls of a small body
/// (one <see cref="WorkFunction.Work"/>, about 100 ns) one after another: through
/// <c>pool.InstallAsync(state, static s =&gt; ...)</c>, against <c>await Task.Run(...)</c>. The
/// figures are the latencies of single awaits (the time from the call to the code after the
/// await), over every await of a round.
/// </summary>
internal static class ConcurrentAsyncInstalls
{
    internal const int Callers = 64;
    internal const int AwaitsPerCaller = 50;
    internal const int AwaitsPerRound = Callers * AwaitsPerCaller;

    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>One round: every caller's awaits, each await's latency in nanoseconds into <paramref name="latencies"/> (<see cref="AwaitsPerRound"/> long). Checks every result.</summary>
    internal static void Round(WorkStealingPool? pool, double[] latencies)
    {
        var callers = new Task[Callers];
        for (int c = 0; c < Callers; c++)
        {
            int caller = c;
            callers[c] = Task.Run(() => Caller(pool, caller, latencies));
        }

        Task.WaitAll(callers);
    }

    private static async Task Caller(WorkStealingPool? pool, int caller, double[] latencies)
    {
        for (int i = 0; i < AwaitsPerCaller; i++)
        {
            ulong input = (ulong)(caller * AwaitsPerCaller + i);
            long start = Stopwatch.GetTimestamp();
            ulong result = pool is null
                ? await Task.Run(() => WorkFunction.Work(input))
                : await pool.InstallAsync(input, static x => WorkFunction.Work(x));
            // Timestamps, not TimeSpan (whose ticks are 100 ns).
            latencies[caller * AwaitsPerCaller + i] = (Stopwatch.GetTimestamp() - start) * s_nanosecondsPerTick;
            if (result != WorkFunction.Work(input))
            {
                throw new InvalidOperationException($"install_async_concurrent: await {i} of caller {caller} returned a wrong result.");
            }
        }
    }
}
