using Samples;

namespace WorkPool.Tests;

/// <summary>Runs the samples of the "Async code" and "Per-worker state" docs and checks their results.</summary>
public class AsyncAndLocalSampleTests
{
    [Fact]
    public void AsyncCode_ChecksumAsync_MatchesTheSequentialChecksum() => InstallAsyncTests.RunAsync(async () =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        byte[] payload = Enumerable.Range(0, 64 * 100).Select(static i => (byte)(i * 7)).ToArray();
        Assert.Equal(AsyncCode.Fnv1a(payload), await AsyncCode.ChecksumAsync(pool, payload, CancellationToken.None));
        ulong rows = 0;
        for (int r = 0; r < 100; r++)
        {
            rows ^= AsyncCode.Fnv1a(payload.AsSpan(r * 64, 64));
        }

        Assert.Equal(rows, await AsyncCode.RowChecksumsAsync(pool, payload, CancellationToken.None));
        Assert.Equal(42, await AsyncCode.LegacyAsync(pool));
    });

    [Fact]
    public void PerWorkerState_Histogram_SumOfSquares_FormatAll() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        byte[] data = Enumerable.Range(0, 100_000).Select(static i => (byte)(i % 251)).ToArray();
        long[] histogram = PerWorkerState.Histogram(pool, data);
        for (int b = 0; b < 256; b++)
        {
            Assert.Equal(data.LongCount(x => x == b), histogram[b]);
        }

        int[] values = Enumerable.Range(-500, 10_000).ToArray();
        Assert.Equal(values.Sum(static v => (long)v * v), PerWorkerState.SumSquares(pool, values));

        string[] output = new string[values.Length];
        Assert.Equal(values.Length, PerWorkerState.FormatAll(pool, values, output));
        Assert.Equal(values.Select(static v => "#" + v.ToString(System.Globalization.CultureInfo.InvariantCulture)), output);

        var visits = new WorkerLocal<int>(pool, static () => 0);
        var count = new PerWorkerState.CountVisits(visits);
        pool.Broadcast(ref count);
        int total = 0;
        foreach (int v in visits)
        {
            total += v;
        }

        Assert.Equal(pool.ThreadCount, total);
    });
}
