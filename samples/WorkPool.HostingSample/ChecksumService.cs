using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WorkPool;

namespace HostingSample;

/// <summary>What <see cref="ChecksumService"/> computed, for whoever asks (the tests).</summary>
public sealed class ChecksumResults
{
    /// <summary>One checksum per request, in order.</summary>
    public List<ulong> Checksums { get; } = [];

    /// <summary>The pool the service used.</summary>
    public WorkStealingPool? Pool { get; set; }
}

/// <summary>
/// A background service that serves "requests" through the injected pool: each request is a
/// buffer whose 64-byte rows are hashed in parallel (<c>ForAsync</c>, 0 B per call), then
/// combined; after the last request it stops the application.
/// </summary>
/// <param name="pool">The pool from <c>AddWorkStealingPool</c>.</param>
/// <param name="results">Where the checksums go.</param>
/// <param name="lifetime">Stops the host when the work is done.</param>
/// <param name="logger">The service's log.</param>
public sealed partial class ChecksumService(WorkStealingPool pool, ChecksumResults results, IHostApplicationLifetime lifetime, ILogger<ChecksumService> logger) : BackgroundService
{
    /// <summary>Requests served before the service stops the application.</summary>
    public const int Requests = 8;

    /// <summary>Rows per request buffer.</summary>
    public const int Rows = 256;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        results.Pool = pool;
        ulong[] rowHashes = new ulong[Rows];
        for (int request = 0; request < Requests && !stoppingToken.IsCancellationRequested; request++)
        {
            byte[] payload = Payload(request);
            await pool.ForAsync(0, Rows, (payload, rowHashes), static (s, r) => s.rowHashes[r] = Fnv1a(s.payload.AsSpan(r * 64, 64)), stoppingToken).ConfigureAwait(false);
            ulong checksum = Combine(rowHashes);
            results.Checksums.Add(checksum);
            LogChecksum(logger, request, checksum);
        }

        lifetime.StopApplication();
    }

    /// <summary>The checksum of request <paramref name="request"/>, computed sequentially (what the tests compare with).</summary>
    /// <param name="request">The request number.</param>
    /// <returns>The checksum.</returns>
    public static ulong Expected(int request)
    {
        byte[] payload = Payload(request);
        ulong[] rowHashes = new ulong[Rows];
        for (int r = 0; r < Rows; r++)
        {
            rowHashes[r] = Fnv1a(payload.AsSpan(r * 64, 64));
        }

        return Combine(rowHashes);
    }

    private static byte[] Payload(int request)
    {
        byte[] payload = new byte[Rows * 64];
        new Random(request).NextBytes(payload);
        return payload;
    }

    private static ulong Combine(ulong[] rowHashes)
    {
        ulong checksum = 0;
        foreach (ulong h in rowHashes)
        {
            checksum = (checksum * 31) ^ h;
        }

        return checksum;
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {Request}: checksum {Checksum:x16}")]
    private static partial void LogChecksum(ILogger logger, int request, ulong checksum);
}
