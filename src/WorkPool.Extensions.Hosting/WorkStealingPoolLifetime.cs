using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WorkPool.Extensions.Hosting;

/// <summary>
/// Creates the pool when the host starts (after the settings were validated: a bad setting fails
/// the start, not the first request) and logs its statistics when the host stops. The container
/// that created the pool disposes it with the host.
/// </summary>
internal sealed class WorkStealingPoolLifetime(IServiceProvider services, ILogger<WorkStealingPool> logger) : IHostedService
{
    private WorkStealingPool? _pool;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _pool = (WorkStealingPool)services.GetService(typeof(WorkStealingPool))!;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_pool is { } pool)
        {
            PoolLog.Stopping(logger, pool.Name, pool.GetStatistics().Total.JobsRun);
        }

        return Task.CompletedTask;
    }
}
