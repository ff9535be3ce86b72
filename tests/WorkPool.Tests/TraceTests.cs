using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>
/// The <c>WorkPool</c> event source, read with an <see cref="EventListener"/>: each kind of event
/// comes from a scenario that must produce it, with the pool's id and the participant's index.
/// Other tests' pools run meanwhile, so only this test's pool id counts.
/// </summary>
public class TraceTests
{
    [Fact]
    public void EventListener_SeesTheTimelineEvents_OfThisPool() => Bounded.Run(() =>
    {
        using var listener = new WorkPoolListener();
        string name = "traced-" + Guid.NewGuid().ToString("N");
        var pool = Pools.Create(2, o => { o.Name = name; o.SpinCount = 0; o.InjectorCapacity = 2; });
        int id = pool.Id;

        // Offer claimed: A waits until an idle worker has taken B.
        int bStarted = 0;
        pool.Join(() => Bounded.Until(() => Volatile.Read(ref bStarted) == 1, "a worker to claim B"), () => Volatile.Write(ref bStarted, 1));

        // Steal: the scope's owner (a guest) holds on until a worker has taken its job.
        int jobStarted = 0;
        pool.Scope(scope =>
        {
            scope.Spawn(_ => Volatile.Write(ref jobStarted, 1));
            Bounded.Until(() => Volatile.Read(ref jobStarted) == 1, "a worker to steal the job");
        });

        // Park, then unpark: every worker asleep, then a broadcast wakes each one.
        Bounded.Until(() => pool.Sleepers.SleepingCount == pool.ThreadCount, "every worker to sleep");
        pool.Broadcast(static _ => { });

        // A wait for room in the full ring: both workers held, the ring filled, one more spawn.
        {
            var release = new Gate("the test to release the workers");
            var held = new Gate("both workers to be held", 2);
            var holder = new Thread(() => pool.Broadcast((held, release), static (s, _) =>
            {
                s.held.Signal();
                s.release.Wait();
            }));
            holder.Start();
            held.Wait();
            pool.Spawn(static () => { });
            pool.Spawn(static () => { });
            var spawner = new Thread(() => pool.Spawn(static () => { }));
            spawner.Start();
            Bounded.Until(() => pool.Injector.WaitingProducers == 1, "the spawner to wait for room");
            release.Signal();
            Assert.True(spawner.Join(Bounded.WaitLimit));
            Assert.True(holder.Join(Bounded.WaitLimit));
        }

        pool.Dispose();

        List<EventWrittenEventArgs> mine = listener.Events.Where(e => e.Payload is { Count: > 0 } p && p[0] is int poolId && poolId == id).ToList();
        EventWrittenEventArgs started = Assert.Single(mine, e => e.EventName == "PoolStarted");
        Assert.Equal(name, started.Payload![1]);
        Assert.Equal(2, started.Payload[2]);
        Assert.Single(mine, e => e.EventName == "PoolDisposed");
        foreach (string kind in new[] { "OfferClaim", "Steal", "Park", "Unpark", "RingFullWait", "JobStart" })
        {
            Assert.True(mine.Any(e => e.EventName == kind), $"no {kind} event for pool {id}; seen: {string.Join(", ", mine.Select(e => e.EventName).Distinct())}");
        }

        // Per-participant timelines: the participant index is the second field, in range.
        Assert.All(
            mine.Where(e => e.EventName is "Park" or "Unpark" or "Steal" or "OfferClaim" or "JobStart" or "Promote"),
            e => Assert.InRange((int)e.Payload![1]!, 0, pool.ParticipantCount - 1));
        Assert.All(mine.Where(e => e.EventName == "Unpark"), e => Assert.IsType<bool>(e.Payload![2]));
    });

    [Fact]
    public void Meter_IsVersioned_AndNamesThePoolOnce_WithTheNamespacedAttributeOnTheMeter() => Bounded.Run(() =>
    {
        string name = "meter-" + Guid.NewGuid().ToString("N");
        using WorkStealingPool pool = Pools.Create(1, o => o.Name = name);
        pool.Install(static () => { });
        var seen = new ConcurrentBag<(string Instrument, string? Version, object? Tag, object? MeasurementTag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkPoolMetrics.MeterName && instrument.Meter.Tags?.Any(t => t.Key == WorkPoolMetrics.PoolTag && (string?)t.Value == name) == true)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => seen.Add((instrument.Name, instrument.Meter.Version, Tag(instrument.Meter.Tags), Tag(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => seen.Add((instrument.Name, instrument.Meter.Version, Tag(instrument.Meter.Tags), Tag(tags))));
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(WorkPoolMetrics.InstrumentNames.Order(), seen.Select(s => s.Instrument).Order());
        Assert.All(seen, s => Assert.Equal(WorkPoolMetrics.MeterVersion, s.Version));
        Assert.All(seen, s => Assert.Equal(name, s.Tag));

        // Once: on the meter, not again on each measurement (dotnet-counters showed both).
        Assert.All(seen, s => Assert.Null(s.MeasurementTag));
        Assert.Equal("workpool.pool.name", WorkPoolMetrics.PoolTag);
        Assert.Matches(@"^\d+\.\d+\.\d+$", WorkPoolMetrics.MeterVersion);
    });

    [Fact]
    public void MeterFactory_CreatesTheMeter_AndOwnsIt() => Bounded.Run(() =>
    {
        string name = "factory-" + Guid.NewGuid().ToString("N");
        using var factory = new RecordingMeterFactory();
        var pool = Pools.Create(1, o => { o.Name = name; o.MeterFactory = factory; });
        Meter meter = Assert.Single(factory.Created);
        Assert.Equal(WorkPoolMetrics.MeterName, meter.Name);
        Assert.Same(factory, meter.Scope);
        Assert.Contains(meter.Tags!, t => t.Key == WorkPoolMetrics.PoolTag && (string?)t.Value == name);

        long measurements = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref measurements));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref measurements));
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(WorkPoolMetrics.InstrumentNames.Count, Interlocked.Read(ref measurements));

        // The factory's meter outlives the pool: the pool's instruments fall silent, the meter stays the factory's.
        pool.Dispose();
        Interlocked.Exchange(ref measurements, 0);
        listener.RecordObservableInstruments();
        Assert.Equal(0, Interlocked.Read(ref measurements));
        Assert.False(factory.Disposed);
    });

    private static object? Tag(IEnumerable<KeyValuePair<string, object?>>? tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags ?? [])
        {
            if (tag.Key == WorkPoolMetrics.PoolTag)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == WorkPoolMetrics.PoolTag)
            {
                return tag.Value;
            }
        }

        return null;
    }

    /// <summary>Enables every event of the <c>WorkPool</c> source and keeps them.</summary>
    private sealed class WorkPoolListener : EventListener
    {
        public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "WorkPool")
            {
                EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) => Events.Enqueue(eventData);
    }

    /// <summary>An <see cref="IMeterFactory"/> like dependency injection's: it creates meters scoped to itself and disposes them.</summary>
    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public ConcurrentQueue<Meter> Created { get; } = new();

        public bool Disposed { get; private set; }

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            Created.Enqueue(meter);
            return meter;
        }

        public void Dispose()
        {
            Disposed = true;
            foreach (Meter meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
