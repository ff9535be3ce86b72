namespace WorkPool.StressTests;

/// <summary>
/// A full injector ring: capacity 2, 64 outside producers, so nearly every call finds the ring
/// full and parks until a consumer frees a slot. Small trees (Installs, Joins and loops from
/// outside, nested inside) with 1% injected exceptions and forced GCs; every job runs exactly once.
/// </summary>
public sealed class InjectorStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 64)]
    [InlineData(1, 512)]
    public void TwoSlotRing_64Producers_EveryJobExactlyOnce(int threads, int spinCount)
    {
        const int Producers = 64;
        string name = $"ring{threads}s{spinCount}";
        TimeSpan budget = StressSettings.Budget(6);
        var shape = new TreeShape { Pools = 1, MaxNodes = 10, MaxDepth = 4, LeafRate = 0.5, MaxFanOut = 3 };
        using var pools = new StressPools(name, [threads], (_, o) =>
        {
            o.InjectorCapacity = 2;
            o.SpinCount = spinCount;
        });
        var harness = new StressHarness(pools, name);
        int collections = harness.RunTreesUnderGc(Producers, budget, shape, gcPeriodMilliseconds: 10);

        Assert.Equal(2, pools.All[0].Injector.Capacity);
        Assert.Equal(0, pools.All[0].Injector.Count + pools.All[0].InstallRing.Count);
        output.WriteLine($"{name}: {harness.Totals}; {collections} forced GCs");
    }
}
