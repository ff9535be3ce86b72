using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// Lets one iteration of a parallel loop stop the loop early, like
/// <see cref="System.Threading.Tasks.ParallelLoopState"/> but without an object per loop: the
/// loop passes it to each iteration by value (it is a <c>ref struct</c> pointing at the loop's
/// flags on the calling thread's stack, so it cannot outlive the iteration).
/// </summary>
/// <remarks>
/// Iterations already running finish; iterations that have not started are skipped according to
/// the request: <see cref="Stop"/> skips all of them, <see cref="Break"/> only those above the
/// breaking index (every iteration below it still runs, as with <c>ParallelLoopState.Break</c>).
/// </remarks>
public readonly ref struct LoopControl
{
    private readonly ref LoopFlags _flags;
    private readonly long _index;

    internal LoopControl(ref LoopFlags flags, long index)
    {
        _flags = ref flags;
        _index = index;
    }

    /// <summary>True once some iteration called <see cref="Stop"/> or threw.</summary>
    public bool IsStopped => !Unsafe.IsNullRef(ref _flags) && _flags.IsStopped;

    /// <summary>
    /// The lowest index passed to <see cref="Break"/> so far, or null. Iterations above it may be
    /// skipped; iterations below it all run.
    /// </summary>
    public long? LowestBreakIteration
    {
        get
        {
            long lowest = Unsafe.IsNullRef(ref _flags) ? LoopFlags.NoBreak : _flags.LowestBreak;
            return lowest == LoopFlags.NoBreak ? null : lowest;
        }
    }

    /// <summary>Whether the current iteration may end early: the loop was stopped, or broken below this iteration.</summary>
    public bool ShouldExitCurrentIteration => !Unsafe.IsNullRef(ref _flags) && _flags.ShouldSkip(_index);

    /// <summary>Stops the loop: iterations that have not started yet are skipped.</summary>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> control, not one a loop passed in.</exception>
    public void Stop() => Flags.Stop();

    /// <summary>
    /// Ends the loop after the iterations below the current one: those still run (if not already
    /// done), those above it that have not started are skipped.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is a <c>default</c> control, not one a loop passed in.</exception>
    public void Break() => Flags.Break(_index);

    private ref LoopFlags Flags
    {
        get
        {
            if (Unsafe.IsNullRef(ref _flags))
            {
                ThrowDefault();
            }

            return ref _flags;
        }
    }

    private static void ThrowDefault() =>
        throw new InvalidOperationException("This LoopControl is default; use the one the loop passes to the iteration.");
}

/// <summary>A loop iteration over <see cref="int"/> indices that can stop or break the loop.</summary>
/// <param name="index">The index of the iteration.</param>
/// <param name="control">Stops or breaks the loop; valid only during this call.</param>
public delegate void ControlledForAction(int index, LoopControl control);

/// <summary>A loop iteration over <see cref="long"/> indices that can stop or break the loop.</summary>
/// <param name="index">The index of the iteration.</param>
/// <param name="control">Stops or breaks the loop; valid only during this call.</param>
public delegate void LongControlledForAction(long index, LoopControl control);

/// <summary>A loop iteration over <see cref="int"/> indices with a state, that can stop or break the loop.</summary>
/// <typeparam name="TState">The type of the state.</typeparam>
/// <param name="state">The state passed to the loop.</param>
/// <param name="index">The index of the iteration.</param>
/// <param name="control">Stops or breaks the loop; valid only during this call.</param>
public delegate void ControlledForAction<in TState>(TState state, int index, LoopControl control);

/// <summary>A loop iteration over <see cref="long"/> indices with a state, that can stop or break the loop.</summary>
/// <typeparam name="TState">The type of the state.</typeparam>
/// <param name="state">The state passed to the loop.</param>
/// <param name="index">The index of the iteration.</param>
/// <param name="control">Stops or breaks the loop; valid only during this call.</param>
public delegate void LongControlledForAction<in TState>(TState state, long index, LoopControl control);

/// <summary>The outcome of a loop whose iterations could stop or break it.</summary>
/// <param name="IsCompleted">True when every iteration ran: nobody called Stop or Break.</param>
/// <param name="LowestBreakIteration">The lowest index that called <see cref="LoopControl.Break"/>, or null.</param>
public readonly record struct LoopResult(bool IsCompleted, long? LowestBreakIteration);
