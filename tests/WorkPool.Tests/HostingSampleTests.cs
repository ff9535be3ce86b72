using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HostingSample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorkPool.Diagnostics;
using WorkPool.Extensions.Hosting;

namespace WorkPool.Tests;

/// <summary>
/// WorkPool.Extensions.Hosting and the worker-service sample (issue 22): the sample starts,
/// serves its requests through the injected pool with the right results, and stops; the pool is
/// configured from the host's configuration, validated at start (a bad value fails the start with
/// an <see cref="OptionsValidationException"/> naming the setting), metered through the host's
/// <see cref="IMeterFactory"/>, logs what escapes fire-and-forget jobs, and is disposed with the host.
/// </summary>
public class HostingSampleTests
{
    [Fact]
    public void TheSample_ServesItsRequestsThroughThePool_AndStops_ThePoolIsDisposedWithTheHost() => InstallAsyncTests.RunAsync(async () =>
    {
        WorkStealingPool pool;
        ChecksumResults results;
        using (IHost host = HostingSample.Program.Build([], Settings(("ThreadCount", "2"), ("Name", "hosting-sample"))))
        {
            await host.StartAsync();
            // Bounded: a sample that does not stop by itself fails with a TimeoutException.
            await host.WaitForShutdownAsync().WaitAsync(Bounded.WaitLimit);
            results = host.Services.GetRequiredService<ChecksumResults>();
            pool = host.Services.GetRequiredService<WorkStealingPool>();
            Assert.Same(pool, results.Pool);
            Assert.Equal("hosting-sample", pool.Name);
            Assert.Equal(2, pool.ThreadCount);
        }

        Assert.Equal(Enumerable.Range(0, ChecksumService.Requests).Select(ChecksumService.Expected), results.Checksums);
        Assert.True(pool.IsDisposed, "the host's container disposes the pool");
    });

    [Theory]
    [InlineData("ThreadCount", "0")]
    [InlineData("DequeCapacity", "3")]
    [InlineData("ThreadNamePrefix", "")]
    public void ABadSetting_FailsTheStart_NamingIt(string setting, string value) => InstallAsyncTests.RunAsync(async () =>
    {
        using IHost host = HostingSample.Program.Build([], Settings((setting, value)));
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"{WorkStealingPoolSettings.SectionName}:{setting}:", error.Message, StringComparison.Ordinal);
    });

    [Fact]
    public void TheDelegateForm_UsesTheHostsMeterFactory_AndLogsWhatEscapesAJob() => InstallAsyncTests.RunAsync(async () =>
    {
        var logs = new LogCollector();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddWorkStealingPool(settings =>
        {
            settings.ThreadCount = 1;
            settings.Name = "hosting-delegate";
        });
        using IHost host = builder.Build();
        IMeterFactory factory = host.Services.GetRequiredService<IMeterFactory>();
        var meters = new ConcurrentBag<Meter>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == WorkPoolMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                meters.Add(instrument.Meter);
            }
        };
        listener.Start();

        await host.StartAsync();
        WorkStealingPool pool = host.Services.GetRequiredService<WorkStealingPool>();
        Assert.Equal("hosting-delegate", pool.Name);
        Assert.NotEmpty(meters);
        Assert.All(meters, m => Assert.Contains(m.Tags!, t => t.Key == WorkPoolMetrics.PoolTag && (string?)t.Value == "hosting-delegate"));
        Assert.Contains(logs.Entries, e => e.Id == 1 && e.Message.Contains("hosting-delegate", StringComparison.Ordinal));

        var escaped = new InvalidOperationException("escaped");
        pool.Spawn(escaped, static e => throw e);
        Bounded.Until(() => logs.Entries.Any(e => e.Id == 3), "the escaped exception to be logged");
        (int _, LogLevel level, string _, Exception? logged) = logs.Entries.First(e => e.Id == 3);
        Assert.Equal(LogLevel.Error, level);
        Assert.Same(escaped, logged);

        await host.StopAsync();
        Assert.Contains(logs.Entries, e => e.Id == 2);
    });

    private static Action<IConfigurationBuilder> Settings(params (string Key, string Value)[] settings) =>
        configuration => configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{WorkStealingPoolSettings.SectionName}:{s.Key}", s.Value)));

    private sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message, Exception? Error)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(LogCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category == typeof(WorkStealingPool).FullName)
                {
                    owner.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception), exception));
                }
            }
        }
    }
}
