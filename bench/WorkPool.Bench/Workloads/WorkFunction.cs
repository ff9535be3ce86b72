using System.Runtime.CompilerServices;

namespace WorkPool.Bench.Workloads;

/// <summary>The unit of CPU work of WORKLOADS.md: ~64 rounds of xorshift on a ulong (about 100 ns).</summary>
internal static class WorkFunction
{
    /// <summary>Length of the <c>for_small</c> loop.</summary>
    internal const int LoopLength = 1024;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ulong Work(ulong i)
    {
        ulong x = (i * 0x9E3779B97F4A7C15UL) | 1;
        for (int k = 0; k < 64; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x;
    }

    /// <summary>The sequential <c>for_small</c> loop: <c>output[i] = Work(i)</c> over [0, 1024).</summary>
    internal static void SequentialLoop(ulong[] output)
    {
        for (int i = 0; i < LoopLength; i++)
        {
            output[i] = Work((ulong)i);
        }
    }
}
