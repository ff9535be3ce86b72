using System.Runtime.InteropServices;

namespace WorkPool.Diagnostics;

/// <summary>One step recorded by <see cref="AllocationStatistics"/>.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct AllocationStep : IEquatable<AllocationStep>
{
    /// <summary>Creates a step record.</summary>
    /// <param name="label">The step's label.</param>
    /// <param name="bytes">Bytes allocated process-wide during the step.</param>
    /// <param name="thisThreadBytes">Bytes allocated on the measuring thread during the step.</param>
    /// <param name="gcs">Garbage collections during the step (see <see cref="Gcs"/>).</param>
    public AllocationStep(string label, long bytes, long thisThreadBytes, int gcs)
    {
        ArgumentNullException.ThrowIfNull(label);
        _label = label;
        Bytes = bytes;
        ThisThreadBytes = thisThreadBytes;
        Gcs = gcs;
    }

    // Null only in default(AllocationStep); Label hides that so readers never see null.
    private readonly string? _label;

    /// <summary>The label given to <c>Measure</c> (the same string instance; never formatted while measuring).</summary>
    public string Label => _label ?? string.Empty;

    /// <summary>
    /// Bytes allocated by every thread of the process during the step: the change of
    /// <see cref="GC.GetTotalAllocatedBytes(bool)"/> with <c>precise: true</c>. This includes what
    /// the pool's workers allocate, and also whatever unrelated threads of the process (a test
    /// host, a timer) allocate at the same time.
    /// </summary>
    public long Bytes { get; }

    /// <summary>
    /// Bytes allocated by the thread that called <c>Measure</c> during the step: the change of
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/>. Exact for that thread, blind to every
    /// other thread (a pool's workers included).
    /// </summary>
    public long ThisThreadBytes { get; }

    /// <summary>
    /// Garbage collections during the step: the change of <c>GC.CollectionCount(0)</c>.
    /// A collection of any generation also collects generation 0, so every blocking collection
    /// counts exactly once (summing the counts of all generations would count a gen-2 collection
    /// three times). The runtime counts no allocation events, so none are reported.
    /// </summary>
    public int Gcs { get; }

    /// <inheritdoc/>
    public bool Equals(AllocationStep other) =>
        string.Equals(Label, other.Label, StringComparison.Ordinal)
        && Bytes == other.Bytes
        && ThisThreadBytes == other.ThisThreadBytes
        && Gcs == other.Gcs;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AllocationStep other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Label, Bytes, ThisThreadBytes, Gcs);

    /// <summary>The step as one line of the table, e.g. <c>"install" -- Bytes: 0 (this thread: 0), GCs: 0</c>.</summary>
    /// <returns>The formatted line, without a line break.</returns>
    public override string ToString() => AllocationStatistics.FormatLine(this, Label.Length + 2);

    /// <summary>Compares two steps field by field.</summary>
    /// <param name="left">The first step.</param>
    /// <param name="right">The second step.</param>
    /// <returns>True when all fields are equal.</returns>
    public static bool operator ==(AllocationStep left, AllocationStep right) => left.Equals(right);

    /// <summary>Compares two steps field by field.</summary>
    /// <param name="left">The first step.</param>
    /// <param name="right">The second step.</param>
    /// <returns>True when any field differs.</returns>
    public static bool operator !=(AllocationStep left, AllocationStep right) => !left.Equals(right);
}
