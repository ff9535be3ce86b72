using WorkPool;

namespace Samples;

public static class AsyncCode
{
    // <snippet:async-code>
    // On a thread-pool thread (an ASP.NET request) the burst runs right here as a guest, workers
    // helping, and the call completes synchronously; under a UI context it runs on the workers and
    // the code after await comes back to the context. Never a continuation on a worker.
    public static async Task<ulong> ChecksumAsync(WorkStealingPool pool, byte[] payload, CancellationToken ct) =>
        await pool.InstallAsync(payload, static p => Fnv1a(p), ct);   // 0 B per call after warm-up
    // </snippet:async-code>

    // <snippet:async-for>
    public static async Task<ulong> RowChecksumsAsync(WorkStealingPool pool, byte[] payload, CancellationToken ct)
    {
        var rows = new ulong[payload.Length / 64];
        await pool.ForAsync(0, rows.Length, (payload, rows), static (s, r) => s.rows[r] = Fnv1a(s.payload.AsSpan(r * 64, 64)), ct);
        return rows.Aggregate(0UL, static (a, b) => a ^ b);
    }
    // </snippet:async-for>

    // <snippet:async-task-scheduler>
    // Existing Task code on the pool's workers (Tasks allocate: use it for code you already have).
    public static Task<int> LegacyAsync(WorkStealingPool pool) =>
        Task.Factory.StartNew(static () => 6 * 7, CancellationToken.None, TaskCreationOptions.None, pool.TaskScheduler);
    // </snippet:async-task-scheduler>

    public static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
