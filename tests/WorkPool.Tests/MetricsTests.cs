using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using WorkPool.Diagnostics;

namespace WorkPool.Tests;

/// <summary>The <c>WorkPool</c> meter: every instrument is published, tagged with the pool's name, and reports the registry's figures on collection.</summary>
public class MetricsTests
{
    [Fact]
    public void MeterListener_SeesEveryInstrument_WithThePoolsFigures() => Bounded.Run(() =>
    {
        string name = "metrics-" + Guid.NewGuid().ToString("N");
        const int Installs = 200;
        // No guest slots: the Installs go through the ring, where the install and injection counters count them.
        using WorkStealingPool pool = Pools.CreateWithoutGuests(2, o => o.Name = name);
        for (int i = 0; i < Installs; i++)
        {
            pool.Install(static () => { });
        }

        var fib = new FibWork(pool, 15);
        pool.Install(ref fib);

        var values = new ConcurrentDictionary<string, double>();
        var ours = new ConcurrentDictionary<Instrument, bool>();
        var completed = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkPoolMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.MeasurementsCompleted = (instrument, state) =>
        {
            // Other tests' pools publish and dispose instruments of the same meter name meanwhile.
            if (ours.ContainsKey(instrument))
            {
                completed.Add(instrument.Name);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(values, ours, name, instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(values, ours, name, instrument, value, tags));
        listener.Start();
        listener.RecordObservableInstruments();

        foreach (string instrument in WorkPoolMetrics.InstrumentNames)
        {
            Assert.True(values.ContainsKey(instrument), $"no measurement of {instrument} tagged pool={name}; seen: {string.Join(", ", values.Keys)}");
        }

        ThreadStatistics total = pool.GetStatistics().Total;
        Assert.Equal(Installs + 1, values[WorkPoolMetrics.Installs]);
        Assert.Equal(Installs + 1, values[WorkPoolMetrics.JobsInjected]);
        Assert.Equal(total.JobsRun, values[WorkPoolMetrics.JobsExecuted]);
        Assert.True(values[WorkPoolMetrics.JobsExecuted] >= Installs + 1);
        Assert.Equal(Fib.Sequential(16) - 1, values[WorkPoolMetrics.JoinsInline] + total.JoinsTakenBack + values[WorkPoolMetrics.JoinHalvesTaken]);
        Assert.Equal(total.JoinsPromoted, values[WorkPoolMetrics.JoinsPromoted]);
        Assert.Equal(total.JobsStolen, values[WorkPoolMetrics.JobsStolen]);
        Assert.True(values[WorkPoolMetrics.StealsFailed] >= 0);
        Assert.True(values[WorkPoolMetrics.Sleeps] >= 0);
        Assert.True(values[WorkPoolMetrics.Wakeups] >= 0);
        Assert.True(values[WorkPoolMetrics.AllocatedBytes] >= 0);
        Assert.Equal(0, values[WorkPoolMetrics.InjectorBlockedTime]);
        Assert.Equal(0, values[WorkPoolMetrics.InjectorDepth]);
        Assert.InRange(values[WorkPoolMetrics.WorkersBusy], 0, 2);
        Assert.InRange(values[WorkPoolMetrics.DequeMaxDepth], 0, pool.Options.DequeCapacity);

        // Disposing the pool ends its instruments: no more measurements for it.
        pool.Dispose();
        Assert.Equal(WorkPoolMetrics.InstrumentNames.Count, completed.Count);
        values.Clear();
        listener.RecordObservableInstruments();
        Assert.Empty(values);
    });

    private static void Record<T>(ConcurrentDictionary<string, double> values, ConcurrentDictionary<Instrument, bool> ours, string pool, Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        // The pool's name is the meter's tag, reported once: never repeated on the measurement
        // (dotnet-counters printed [workpool.pool.name=x;workpool.pool.name=x]).
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            Assert.NotEqual(WorkPoolMetrics.PoolTag, tag.Key);
        }

        int poolTags = 0;
        foreach (KeyValuePair<string, object?> tag in instrument.Meter.Tags ?? [])
        {
            if (tag.Key == WorkPoolMetrics.PoolTag)
            {
                poolTags++;
                if (tag.Value is string name && name == pool)
                {
                    values[instrument.Name] = value.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
                    ours[instrument] = true;
                }
            }
        }

        Assert.Equal(1, poolTags);
    }
}
