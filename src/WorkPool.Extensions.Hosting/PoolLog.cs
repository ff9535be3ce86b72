using Microsoft.Extensions.Logging;

namespace WorkPool.Extensions.Hosting;

/// <summary>The pool's log messages (allocation-free when their level is off: LoggerMessage delegates, defined once).</summary>
internal static class PoolLog
{
    private static readonly Action<ILogger, string, int, int, Exception?> s_started = LoggerMessage.Define<string, int, int>(
        LogLevel.Information, new EventId(1, "PoolStarted"), "WorkStealingPool {PoolName} started: {ThreadCount} workers, {GuestSlots} guest slots");

    private static readonly Action<ILogger, string, long, Exception?> s_stopping = LoggerMessage.Define<string, long>(
        LogLevel.Information, new EventId(2, "PoolStopping"), "WorkStealingPool {PoolName} stopping with the host after {JobsRun} jobs on its workers");

    private static readonly Action<ILogger, string, Exception?> s_unhandled = LoggerMessage.Define<string>(
        LogLevel.Error, new EventId(3, "UnhandledJobException"), "A fire-and-forget job of WorkStealingPool {PoolName} threw");

    internal static void Started(ILogger logger, string pool, int threads, int guestSlots) => s_started(logger, pool, threads, guestSlots, null);

    internal static void Stopping(ILogger logger, string pool, long jobsRun) => s_stopping(logger, pool, jobsRun, null);

    internal static void UnhandledJobException(ILogger logger, string pool, Exception error) => s_unhandled(logger, pool, error);
}
