using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WorkPool.Extensions.Hosting;

namespace HostingSample;

/// <summary>A worker service whose WorkStealingPool comes from the host.</summary>
public static class Program
{
    /// <summary>Runs the service until its work is done.</summary>
    /// <param name="args">Command-line configuration, e.g. <c>--WorkStealingPool:ThreadCount=4</c>.</param>
    /// <returns>0.</returns>
    public static async Task<int> Main(string[] args)
    {
        using IHost host = Build(args);
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>The host: the pool from the <c>WorkStealingPool</c> section, and the service that uses it.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="configure">More configuration, added last (the tests' in-memory settings).</param>
    /// <returns>The built host, not started.</returns>
    public static IHost Build(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder.Configuration);
        // <snippet:hosting-add>
        builder.Services.AddWorkStealingPool(builder.Configuration.GetSection(WorkStealingPoolSettings.SectionName));
        // </snippet:hosting-add>
        builder.Services.AddSingleton<ChecksumResults>();
        builder.Services.AddHostedService<ChecksumService>();
        return builder.Build();
    }
}
