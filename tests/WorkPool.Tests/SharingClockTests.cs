namespace WorkPool.Tests;

/// <summary>Runs alone: the clock's estimates are process-wide, and other tests' loops and wake-ups move them.</summary>
[CollectionDefinition("SharingClock", DisableParallelization = true)]
public sealed class SharingClockTestsDefinition;

/// <summary>
/// The sharing clock's estimates stay within their documented bounds whatever is recorded, and
/// move as documented (docs/design/sharing-clock.md): an eighth of the way to each sample, a
/// steal sample over twice the steal estimate ignored.
/// </summary>
[Collection("SharingClock")]
public class SharingClockTests
{
    [Fact]
    public void EveryThreshold_StaysWithinItsBounds_WhateverIsRecorded()
    {
        long[] samples = [0, 1, 7, SharingClock.PieceTargetTicks * 10, long.MaxValue / 4, 3, 0];
        foreach (long sample in samples)
        {
            for (int i = 0; i < 64; i++)
            {
                SharingClock.RecordHandOff(sample);
                SharingClock.RecordStealHandOff(sample);
            }

            long assumed = (long)(SharingClock.AssumedHandOff.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            long handOff = SharingClock.HandOffTicks;
            Assert.InRange(handOff, Math.Max(1, assumed / 4), SharingClock.PieceTargetTicks);
            Assert.InRange(SharingClock.StealHandOffTicks, Math.Min(handOff, Math.Max(1, assumed / 32)), handOff);
            Assert.InRange(SharingClock.LoopAloneTicks, 1, handOff);
            Assert.InRange(SharingClock.LoopAloneWithSearcherTicks, 1, SharingClock.LoopAloneTicks);
            Assert.InRange(SharingClock.CheckSpacingTicks, 1, handOff);
            Assert.Equal(handOff * 5 / 2, SharingClock.PromotionIntervalTicks);
            Assert.True(SharingClock.WatchPeriodMilliseconds >= 1);
        }
    }

    [Fact]
    public void StealEstimate_SettlesOnRepeatedSamples_IgnoresAnOutlier_AndMovesAnEighthTowardsASample()
    {
        long handOff = SharingClock.HandOffTicks;
        long small = handOff / 4; // above the floor (a 32nd of the assumed hand-off, at most a quarter of the wake-up)

        // Up from wherever the other test left it: samples at twice the estimate are taken.
        for (int i = 0; i < 1000 && SharingClock.StealHandOffTicks < small; i++)
        {
            SharingClock.RecordStealHandOff(SharingClock.StealHandOffTicks * 2);
        }

        Assert.True(SharingClock.StealHandOffTicks >= small, "Samples at twice the estimate raise it.");
        for (int i = 0; i < 400; i++)
        {
            SharingClock.RecordStealHandOff(small);
        }

        long settled = SharingClock.StealHandOffTicks;
        Assert.InRange(settled, small - 8, small + 8);
        Assert.Equal(Math.Clamp(settled * 2, 1, SharingClock.LoopAloneTicks), SharingClock.LoopAloneWithSearcherTicks);

        // A preempted searcher's sample (a whole second) is ignored; one under twice the estimate moves it an eighth.
        SharingClock.RecordStealHandOff(System.Diagnostics.Stopwatch.Frequency);
        Assert.Equal(settled, SharingClock.StealHandOffTicks);
        long raw = settled * 2;
        SharingClock.RecordStealHandOff(raw);
        Assert.Equal(settled + (Math.Min(handOff, raw) - settled) / 8, SharingClock.StealHandOffTicks);
    }
}
