using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WorkPool.Extensions.Hosting;

/// <summary>Registers a <see cref="WorkStealingPool"/> in a service collection.</summary>
public static class WorkStealingPoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="WorkStealingPool"/> (a singleton) configured from
    /// <paramref name="configuration"/> (bound to <see cref="WorkStealingPoolSettings"/>, typically
    /// <c>builder.Configuration.GetSection("WorkStealingPool")</c>). The settings are validated
    /// when the host starts, which also creates the pool; its meter comes from the host's
    /// <see cref="IMeterFactory"/>, exceptions escaping fire-and-forget jobs and the pool's start
    /// and stop go to the host's <see cref="ILogger"/>, and the container disposes the pool when
    /// the host is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the settings.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddWorkStealingPool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WorkStealingPoolSettings>().Bind(configuration);
        return AddPool(services);
    }

    /// <summary>
    /// Registers one <see cref="WorkStealingPool"/> configured by <paramref name="configure"/>;
    /// see <see cref="AddWorkStealingPool(IServiceCollection, IConfiguration)"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the settings.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddWorkStealingPool(this IServiceCollection services, Action<WorkStealingPoolSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<WorkStealingPoolSettings>().Configure(configure);
        return AddPool(services);
    }

    private static IServiceCollection AddPool(IServiceCollection services)
    {
        services.AddOptions<WorkStealingPoolSettings>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkStealingPoolSettings>, WorkStealingPoolSettingsValidator>());
        services.TryAddSingleton(static provider => CreatePool(provider));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WorkStealingPoolLifetime>());
        return services;
    }

    private static WorkStealingPool CreatePool(IServiceProvider provider)
    {
        WorkStealingPoolOptions options = provider.GetRequiredService<IOptions<WorkStealingPoolSettings>>().Value.ToOptions();
        ILogger logger = provider.GetService<ILoggerFactory>()?.CreateLogger<WorkStealingPool>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        options.MeterFactory = provider.GetService<IMeterFactory>();
        string name = options.Name ?? options.ThreadNamePrefix;
        options.UnhandledException = error => PoolLog.UnhandledJobException(logger, name, error);
        var pool = new WorkStealingPool(options);
        PoolLog.Started(logger, pool.Name, pool.ThreadCount, options.GuestSlots);
        return pool;
    }
}
