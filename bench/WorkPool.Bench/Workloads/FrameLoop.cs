using System.Diagnostics;

namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>frame_loop</c>: an external thread runs <c>for_small</c>'s loop once per frame, then idles
/// <see cref="IdleBetweenFrames"/> (a game or simulation loop waiting for its next tick), for
/// <see cref="Frames"/> frames. Reports each frame's time and the process CPU time per wall time
/// over the run: a pool that spins between short parallel phases burns the cores it idles on.
/// </summary>
internal static class FrameLoop
{
    /// <summary>Frames per run.</summary>
    internal const int Frames = 2_000;

    /// <summary>The idle time between frames.</summary>
    internal static readonly TimeSpan IdleBetweenFrames = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Runs the frames with <paramref name="frame"/> as one frame's loop; fills
    /// <paramref name="frameNs"/> (one per frame) and returns the CPU percent of the run (100 = one
    /// core busy). <paramref name="bytes"/>: what the whole process allocated over the frames,
    /// not counting the two reads of the process's CPU time (a <see cref="Process"/> object each).
    /// </summary>
    internal static double Run(Action frame, Span<double> frameNs, out long bytes)
    {
        if (frameNs.Length != Frames)
        {
            throw new ArgumentException($"Room for {Frames} frames expected.", nameof(frameNs));
        }

        // A few frames first, so the run measures warm code and a pool that has settled.
        for (int i = 0; i < 50; i++)
        {
            frame();
            Thread.Sleep(IdleBetweenFrames);
        }

        TimeSpan cpuBefore = ProcessCpu();
        long bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        long runStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < Frames; i++)
        {
            long start = Stopwatch.GetTimestamp();
            frame();
            frameNs[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            Thread.Sleep(IdleBetweenFrames);
        }

        TimeSpan wall = Stopwatch.GetElapsedTime(runStart);
        bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        return (ProcessCpu() - cpuBefore) / wall * 100;
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
