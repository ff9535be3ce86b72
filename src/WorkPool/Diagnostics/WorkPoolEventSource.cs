using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// The <c>WorkPool</c> event source: what each participant does over time, for
/// <c>dotnet-trace</c>, PerfView or an <see cref="EventListener"/> (docs/diagnostics.md). Every
/// event carries the pool's id (named by <see cref="PoolStarted"/>) and the participant's index;
/// the runtime adds the thread and the time, so a trace shows one timeline per worker: when it
/// parked and woke, what it stole, which Join halves it shared, which jobs it started.
/// </summary>
/// <remarks>
/// Disabled (no session listening), an event site costs one read of a static field that a
/// session's start or stop rewrites (<see cref="OnEventCommand"/>): the engine calls in from its
/// statistics slots (<see cref="StatisticsSlot"/>), never from the Join fast path.
/// </remarks>
[EventSource(Name = SourceName)]
internal sealed class WorkPoolEventSource : EventSource
{
    /// <summary>The event source's name: <c>WorkPool</c>.</summary>
    internal const string SourceName = "WorkPool";

    internal static readonly WorkPoolEventSource Log = new();

    // Which sites are worth a call, refreshed whenever a session changes: a plain static read on
    // every site (a stale value only delays the first or last event of a session).
    private static bool s_sleep;
    private static bool s_steal;
    private static bool s_share;
    private static bool s_ring;
    private static bool s_jobs;
    private static bool s_pool;

    private WorkPoolEventSource()
    {
    }

    /// <summary>Park and unpark events are on.</summary>
    internal static bool SleepOn => s_sleep;

    /// <summary>Steal events are on.</summary>
    internal static bool StealOn => s_steal;

    /// <summary>Promotion and offer-claim events are on.</summary>
    internal static bool ShareOn => s_share;

    /// <summary>Ring-full wait events are on.</summary>
    internal static bool RingOn => s_ring;

    /// <summary>Job start events are on.</summary>
    internal static bool JobsOn => s_jobs;

    /// <summary>Pool start and dispose events are on.</summary>
    internal static bool PoolOn => s_pool;

    [Event(1, Level = EventLevel.Informational, Keywords = Keywords.Pool, Message = "Pool {0} \"{1}\" started: {2} workers, {3} guest slots")]
    internal void PoolStarted(int PoolId, string Name, int Workers, int GuestSlots) => WriteIntStringIntInt(1, PoolId, Name, Workers, GuestSlots);

    [Event(2, Level = EventLevel.Informational, Keywords = Keywords.Pool, Message = "Pool {0} disposed")]
    internal void PoolDisposed(int PoolId) => WriteEvent(2, PoolId);

    [Event(3, Level = EventLevel.Verbose, Keywords = Keywords.Sleep, Message = "Pool {0}: participant {1} parks")]
    internal void Park(int PoolId, int Participant) => WriteEvent(3, PoolId, Participant);

    [Event(4, Level = EventLevel.Verbose, Keywords = Keywords.Sleep, Message = "Pool {0}: participant {1} woke (for new work: {2})")]
    internal void Unpark(int PoolId, int Participant, bool ByNewWork) => WriteEvent(4, PoolId, Participant, ByNewWork ? 1 : 0);

    [Event(5, Level = EventLevel.Verbose, Keywords = Keywords.Steal, Message = "Pool {0}: participant {1} stole a job")]
    internal void Steal(int PoolId, int Participant) => WriteEvent(5, PoolId, Participant);

    [Event(6, Level = EventLevel.Verbose, Keywords = Keywords.Share, Message = "Pool {0}: participant {1} promoted a Join half (deque depth {2})")]
    internal void Promote(int PoolId, int Participant, int DequeDepth) => WriteEvent(6, PoolId, Participant, DequeDepth);

    [Event(7, Level = EventLevel.Verbose, Keywords = Keywords.Share, Message = "Pool {0}: participant {1} claimed an offered Join half")]
    internal void OfferClaim(int PoolId, int Participant) => WriteEvent(7, PoolId, Participant);

    [Event(8, Level = EventLevel.Informational, Keywords = Keywords.Ring, Message = "Pool {0}: a caller waited {1} us for room in the full injector ring")]
    internal void RingFullWait(int PoolId, long Microseconds) => WriteIntLong(8, PoolId, Microseconds);

    [Event(9, Level = EventLevel.Verbose, Keywords = Keywords.Jobs, Message = "Pool {0}: participant {1} starts a job")]
    internal void JobStart(int PoolId, int Participant) => WriteEvent(9, PoolId, Participant);

    /// <inheritdoc/>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        s_sleep = IsEnabled(EventLevel.Verbose, Keywords.Sleep);
        s_steal = IsEnabled(EventLevel.Verbose, Keywords.Steal);
        s_share = IsEnabled(EventLevel.Verbose, Keywords.Share);
        s_ring = IsEnabled(EventLevel.Informational, Keywords.Ring);
        s_jobs = IsEnabled(EventLevel.Verbose, Keywords.Jobs);
        s_pool = IsEnabled(EventLevel.Informational, Keywords.Pool);
    }

    // Typed writers (no boxing) for the shapes the base class has no overload for.
    [NonEvent]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The payload is primitives and a string, which the trimmer keeps.")]
    private unsafe void WriteIntStringIntInt(int eventId, int a, string name, int b, int c)
    {
        fixed (char* chars = name)
        {
            EventData* data = stackalloc EventData[4];
            Set(ref data[0], &a);
            data[1].DataPointer = (nint)chars;
            data[1].Size = (name.Length + 1) * sizeof(char);
            Set(ref data[2], &b);
            Set(ref data[3], &c);
            WriteEventCore(eventId, 4, data);
        }
    }

    [NonEvent]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The payload is primitives and a string, which the trimmer keeps.")]
    private unsafe void WriteIntLong(int eventId, int a, long b)
    {
        EventData* data = stackalloc EventData[2];
        Set(ref data[0], &a);
        data[1].DataPointer = (nint)(&b);
        data[1].Size = sizeof(long);
        WriteEventCore(eventId, 2, data);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Set(ref EventData data, int* value)
    {
        data.DataPointer = (nint)value;
        data.Size = sizeof(int);
    }

    /// <summary>The event groups a session can pick.</summary>
    public static class Keywords
    {
        /// <summary>Park and unpark of participants (one timeline per worker).</summary>
        public const EventKeywords Sleep = (EventKeywords)0x1;

        /// <summary>Jobs stolen from another participant's deque.</summary>
        public const EventKeywords Steal = (EventKeywords)0x2;

        /// <summary>Join halves promoted to a deque, and offered halves claimed.</summary>
        public const EventKeywords Share = (EventKeywords)0x4;

        /// <summary>Callers that waited for room in a full injector ring.</summary>
        public const EventKeywords Ring = (EventKeywords)0x8;

        /// <summary>Every job a participant starts (many: for short traces).</summary>
        public const EventKeywords Jobs = (EventKeywords)0x10;

        /// <summary>Pools started and disposed (the names behind the ids).</summary>
        public const EventKeywords Pool = (EventKeywords)0x20;
    }
}
