namespace WorkPool;

/// <summary>
/// The body of a parallel loop with state local to each participant, for
/// <see cref="WorkStealingPool.For{TBody, TLocal}(int, int, ref TBody, int, CancellationToken)"/>:
/// the struct-body form of <c>Parallel.For</c>'s <c>localInit</c> / <c>body</c> /
/// <c>localFinally</c>. Each participant that runs part of the loop gets its own
/// <typeparamref name="TLocal"/> from <see cref="Init"/> before its first iteration, runs its
/// iterations on it by reference with no synchronization, and after the loop every local is
/// handed to <see cref="Finish"/> to be combined. Allocation-free after warm-up.
/// </summary>
/// <typeparam name="TLocal">The type of the local state (a partial sum, a histogram, a scratch buffer).</typeparam>
/// <remarks>
/// <para>Every method runs on the same shared copy of the body, as in <see cref="IForBody"/>.
/// <see cref="Init"/> and <see cref="Invoke"/> run on the participants, possibly at once;
/// <see cref="Finish"/> runs on the thread that called For, once per local, in participant
/// order, after every iteration has finished: it can combine into the body's own fields with
/// plain code.</para>
/// <para>A participant that waits inside an iteration (on a nested loop or Join) may run other
/// pieces of the same loop meanwhile; those get a local of their own (one more
/// <see cref="Init"/>, later one more <see cref="Finish"/>), so the waiting iteration's local
/// never changes under it, and code such as <c>local += Nested()</c> is exact.</para>
/// </remarks>
public interface IForLocalBody<TLocal>
{
    /// <summary>Creates the local state of one participant, before its first iteration of this loop.</summary>
    /// <returns>The initial local state.</returns>
    TLocal Init();

    /// <summary>Runs one iteration on the local state of the participant that runs it.</summary>
    /// <param name="index">The index of the iteration.</param>
    /// <param name="local">The participant's local state.</param>
    void Invoke(int index, ref TLocal local);

    /// <summary>Receives one participant's local state after the loop, on the calling thread; also when the loop threw or was cancelled.</summary>
    /// <param name="local">The local state after that participant's last iteration.</param>
    void Finish(TLocal local);
}
