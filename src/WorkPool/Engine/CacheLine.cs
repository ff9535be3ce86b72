using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>Cache-line geometry used to keep fields that different threads write apart.</summary>
internal static class CacheLine
{
    /// <summary>
    /// 128 bytes: two 64-byte lines, because x86 prefetches adjacent line pairs and Apple/ARM
    /// parts use 128-byte lines. A padded value sits alone in its own 128-byte window.
    /// </summary>
    internal const int Size = 128;
}

/// <summary>A <see cref="long"/> with a full cache line of padding on each side.</summary>
[StructLayout(LayoutKind.Explicit, Size = CacheLine.Size * 2)]
internal struct PaddedInt64
{
    [FieldOffset(CacheLine.Size)]
    public long Value;
}

/// <summary>An <see cref="int"/> with a full cache line of padding on each side.</summary>
[StructLayout(LayoutKind.Explicit, Size = CacheLine.Size * 2)]
internal struct PaddedInt32
{
    [FieldOffset(CacheLine.Size)]
    public int Value;
}

/// <summary>An object reference with a full cache line of padding on each side.</summary>
[StructLayout(LayoutKind.Explicit, Size = CacheLine.Size * 2)]
internal struct PaddedObject
{
    [FieldOffset(CacheLine.Size)]
    public object? Value;
}

/// <summary>A cache line of nothing, to keep neighbouring objects apart.</summary>
[StructLayout(LayoutKind.Sequential, Size = CacheLine.Size)]
internal struct CacheLinePadding
{
    private byte _first;
}
