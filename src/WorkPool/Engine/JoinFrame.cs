using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool;

/// <summary>
/// The record of one Join in progress on a participant (a worker or a guest), a local of the Join itself: where its second
/// half lives and how to run it. The participant links its frames newest first
/// (<see cref="Participant"/>'s <c>_newestFrame</c>, then <see cref="Older"/>).
/// </summary>
/// <remarks>
/// <para>This is what makes a Join that nobody steals cost about a function call (lazy
/// promotion, after heartbeat scheduling: Acar, Charguéraud, Rainey, PLDI 2018). Join writes its
/// frame with plain stores and no fence because frames are owner-only: only the owning
/// participant reads or writes them, and only it promotes one (from a later Join on the same
/// thread when some participant is idle, or when it starts to wait), so no other thread ever
/// sees a frame. What a thief sees is a promoted <see cref="FrameJob"/>, published by the
/// deque's release store, or the offer of the outermost frame (Participant.Offer.cs), published by a
/// release store of the owner's offer word.</para>
/// <para>Invariants: a frame is linked while its Join runs the first half, and until its second
/// half is settled (it is unlinked before the second half runs inline, so a half that is running
/// is never promoted); <see cref="Recorded"/> means the second half has neither run nor been
/// shared; <see cref="Promoted"/> means the thread's <see cref="FrameJob"/> number
/// <see cref="Job"/> carries it on the owner's deque; <see cref="Offered"/> (only the outermost
/// frame) means idle participants may claim it; <see cref="Claimed"/> means one did. The Join
/// must take a promoted job back, or wait until the promoted or claimed half is done, before it
/// returns, because the job points into the Join's stack frame. Promotion always takes the
/// oldest unshared frame, so going from the newest to the oldest frame, recorded frames come
/// first, then promoted ones, then at most one offered or claimed frame: the outermost.
/// Promoted frames finish newest first: their jobs are taken from a per-participant stack.</para>
/// </remarks>
internal unsafe struct JoinFrame
{
    internal const int Recorded = 1;
    internal const int Promoted = 2;

    /// <summary>The outermost frame, while its half is offered to idle participants (see Participant.Offer.cs).</summary>
    internal const int Offered = 3;

    /// <summary>The outermost frame, after the owner learned that a claimer took its offered half.</summary>
    internal const int Claimed = 4;

    /// <summary>The next older frame of this worker, or null.</summary>
    internal JoinFrame* Older;

    /// <summary>
    /// The next newer frame, written by that frame's Join when it records itself on top of this
    /// one. Valid only while a newer frame is linked: the frame directly on top of a linked frame
    /// is the last one recorded there, so the owner can step from the newest shared frame to the
    /// oldest unshared one without walking the whole list (see Participant.Promotion.cs).
    /// </summary>
    internal JoinFrame* Newer;

    /// <summary>The second half: a <c>TB</c> on the owner's stack, in a caller's frame or the Join's own.</summary>
    internal void* Body;

    /// <summary>Runs the body at <see cref="Body"/> (<see cref="FrameJob.RunBody{TB}"/> for the Join's <c>TB</c>).</summary>
    internal delegate*<void*, Participant, void> Run;

    /// <summary><see cref="Recorded"/>, <see cref="Promoted"/>, <see cref="Offered"/> or <see cref="Claimed"/>.</summary>
    internal int State;

    /// <summary>When <see cref="Promoted"/>: the index of its job in the worker's job stack.</summary>
    internal int Job;
}
