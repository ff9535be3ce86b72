using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace WorkPool.Diagnostics;

/// <summary>
/// Records how much labelled steps allocate, for allocation regression tests and reports: per
/// step, bytes allocated process-wide, bytes allocated on the calling thread, and garbage
/// collections. Prints the table
/// <c>"label" -- Bytes: N (this thread: M), GCs: g</c>, one line per step.
/// </summary>
/// <remarks>
/// <para>
/// Measuring allocates nothing: step records live in an array preallocated with the capacity
/// given to the constructor, labels are stored by reference, and all formatting happens in
/// <see cref="ToString"/> and <see cref="WriteTo"/>. The delegate forms allocate nothing as long
/// as the delegate does not (a <c>static</c> lambda is created once and cached by the compiler;
/// a capturing lambda allocates its closure in the caller every time its expression runs, before
/// <c>Measure</c> is called). The <see cref="Measure{TState}(string, TState, Action{TState})"/>
/// and <see cref="Measure{TAction}(string, ref TAction)"/> forms need no closure at all.
/// </para>
/// <para>
/// The first call of anything (<c>Measure</c> itself included) may allocate while the runtime
/// loads types and compiles code; measure a step once or twice before the measurement that is
/// asserted on, then <see cref="Clear"/>.
/// </para>
/// <para>
/// There is no count of allocations: .NET exposes byte totals, not allocation events, so none
/// are reported. Process-wide bytes include every thread of the process (a pool's workers, and
/// also a test host's own threads); the this-thread figure is exact for the calling thread only.
/// </para>
/// <para>An instance is not thread-safe: measure and read it from one thread at a time.</para>
/// </remarks>
public sealed class AllocationStatistics
{
    private readonly AllocationStep[] _steps;
    private int _count;

    /// <summary>Creates an empty recorder for up to <paramref name="capacity"/> steps.</summary>
    /// <param name="capacity">The most steps that can be recorded before <see cref="Clear"/>; storage for all of them is allocated now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public AllocationStatistics(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _steps = new AllocationStep[capacity];
    }

    /// <summary>The most steps this instance can hold.</summary>
    public int Capacity => _steps.Length;

    /// <summary>The number of steps recorded since construction or the last <see cref="Clear"/>.</summary>
    public int Count => _count;

    /// <summary>The recorded steps, in the order they were measured. Valid until the next <c>Measure</c> or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<AllocationStep> Steps => new(_steps, 0, _count);

    /// <summary>The step at <paramref name="index"/>, in the order steps were measured.</summary>
    /// <param name="index">From 0 to <see cref="Count"/> - 1.</param>
    /// <returns>The recorded step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not less than <see cref="Count"/>.</exception>
    public AllocationStep this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            return _steps[index];
        }
    }

    /// <summary>Forgets every recorded step; the storage is kept and reused.</summary>
    public void Clear()
    {
        // Drop the label references too, so a cleared recorder keeps no strings alive.
        Array.Clear(_steps, 0, _count);
        _count = 0;
    }

    /// <summary>Runs <paramref name="action"/> and records what it allocated as a step labelled <paramref name="label"/>.</summary>
    /// <param name="label">The step's label; stored by reference.</param>
    /// <param name="action">The step. Allocation-free to pass if it is a cached (e.g. <c>static</c>) lambda.</param>
    /// <exception cref="ArgumentNullException"><paramref name="label"/> or <paramref name="action"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Already <see cref="Capacity"/> steps are recorded; <paramref name="action"/> is not run.</exception>
    /// <remarks>If <paramref name="action"/> throws, no step is recorded and the exception propagates.</remarks>
    public void Measure(string label, Action action)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(action);
        EnsureRoom();
        Snapshot before = Snapshot.TakeBefore();
        action();
        Record(label, before);
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="state"/> and records what it allocated; no closure needed.</summary>
    /// <typeparam name="TState">The type of the state passed to the step (a value tuple carries several values without allocating).</typeparam>
    /// <param name="label">The step's label; stored by reference.</param>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="action">The step, ideally a <c>static</c> lambda.</param>
    /// <exception cref="ArgumentNullException"><paramref name="label"/> or <paramref name="action"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Already <see cref="Capacity"/> steps are recorded; <paramref name="action"/> is not run.</exception>
    /// <remarks>If <paramref name="action"/> throws, no step is recorded and the exception propagates.</remarks>
    public void Measure<TState>(string label, TState state, Action<TState> action)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(action);
        EnsureRoom();
        Snapshot before = Snapshot.TakeBefore();
        action(state);
        Record(label, before);
    }

    /// <summary>Runs a struct body and records what it allocated; no delegate, closure or boxing.</summary>
    /// <typeparam name="TAction">The struct type of the step.</typeparam>
    /// <param name="label">The step's label; stored by reference.</param>
    /// <param name="action">The step, passed by reference so that the caller sees the fields <see cref="IMeasuredAction.Invoke"/> wrote.</param>
    /// <exception cref="ArgumentNullException"><paramref name="label"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Already <see cref="Capacity"/> steps are recorded; <paramref name="action"/> is not run.</exception>
    /// <remarks>If <paramref name="action"/> throws, no step is recorded and the exception propagates.</remarks>
    public void Measure<TAction>(string label, ref TAction action)
        where TAction : struct, IMeasuredAction
    {
        ArgumentNullException.ThrowIfNull(label);
        EnsureRoom();
        Snapshot before = Snapshot.TakeBefore();
        action.Invoke();
        Record(label, before);
    }

    /// <summary>Writes the table, one line per step: <c>"label" -- Bytes: N (this thread: M), GCs: g</c>.</summary>
    /// <param name="writer">Receives the lines (ended by its <see cref="TextWriter.NewLine"/>).</param>
    /// <remarks>
    /// Labels are padded so that the <c>--</c> of every line lines up; numbers are written
    /// culture-invariant. Writes nothing when no step is recorded.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int width = LabelColumnWidth();
        for (int i = 0; i < _count; i++)
        {
            writer.WriteLine(FormatLine(_steps[i], width));
        }
    }

    /// <summary>The table that <see cref="WriteTo"/> writes, lines ended by <see cref="Environment.NewLine"/>.</summary>
    /// <returns>The table; empty when no step is recorded.</returns>
    public override string ToString()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    /// <summary>One line of the table, the quoted label padded to <paramref name="labelWidth"/> characters.</summary>
    internal static string FormatLine(AllocationStep step, int labelWidth)
    {
        var line = new StringBuilder(labelWidth + 64);
        line.Append('"').Append(step.Label).Append('"');
        line.Append(' ', Math.Max(0, labelWidth - (step.Label.Length + 2)));
        line.Append(" -- Bytes: ").Append(step.Bytes.ToString(CultureInfo.InvariantCulture));
        line.Append(" (this thread: ").Append(step.ThisThreadBytes.ToString(CultureInfo.InvariantCulture));
        line.Append("), GCs: ").Append(step.Gcs.ToString(CultureInfo.InvariantCulture));
        return line.ToString();
    }

    /// <summary>The width of the widest quoted label.</summary>
    private int LabelColumnWidth()
    {
        int width = 0;
        for (int i = 0; i < _count; i++)
        {
            width = Math.Max(width, _steps[i].Label.Length + 2);
        }

        return width;
    }

    private void EnsureRoom()
    {
        // Checked before the step runs, so a full recorder neither runs nor silently drops a step.
        if (_count == _steps.Length)
        {
            ThrowFull();
        }
    }

    private void Record(string label, in Snapshot before)
    {
        Snapshot after = Snapshot.TakeAfter();
        Debug.Assert(_count < _steps.Length, "EnsureRoom ran before the step; only this thread writes _count");
        _steps[_count] = new AllocationStep(
            label,
            bytes: after.TotalBytes - before.TotalBytes,
            thisThreadBytes: after.ThreadBytes - before.ThreadBytes,
            gcs: after.Gen0Collections - before.Gen0Collections);
        _count++;
    }

    // Off the measuring path: building the message allocates, and only happens when it throws.
    private void ThrowFull() => throw new InvalidOperationException(
        string.Create(CultureInfo.InvariantCulture, $"AllocationStatistics is full: all {_steps.Length} steps are recorded. Create it with a larger capacity, or call Clear() before measuring more steps."));

    /// <summary>The three counters read together; none of the reads allocates.</summary>
    private readonly struct Snapshot
    {
        private Snapshot(long totalBytes, long threadBytes, int gen0Collections)
        {
            TotalBytes = totalBytes;
            ThreadBytes = threadBytes;
            Gen0Collections = gen0Collections;
        }

        public long TotalBytes { get; }

        public long ThreadBytes { get; }

        public int Gen0Collections { get; }

        // Before the step the thread counter is read last and after it first (the collection
        // count the other way round), so that the byte windows hug the step as closely as possible.
        public static Snapshot TakeBefore()
        {
            int gen0 = GC.CollectionCount(0);
            long total = GC.GetTotalAllocatedBytes(precise: true);
            long thread = GC.GetAllocatedBytesForCurrentThread();
            return new Snapshot(total, thread, gen0);
        }

        public static Snapshot TakeAfter()
        {
            long thread = GC.GetAllocatedBytesForCurrentThread();
            long total = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0);
            return new Snapshot(total, thread, gen0);
        }
    }
}
