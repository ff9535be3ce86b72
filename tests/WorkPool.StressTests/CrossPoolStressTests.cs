namespace WorkPool.StressTests;

/// <summary>
/// Pools calling into each other: Install and Join trees that hop to another pool at 80% of
/// their operations (A → B → A → C ...), on one-thread pools where every waiting worker must
/// keep running its own pool's jobs, or the hop back into its pool deadlocks.
/// </summary>
public sealed class CrossPoolStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new[] { 1, 1 }, 0)]
    [InlineData(new[] { 1, 1, 1 }, 512)]
    [InlineData(new[] { 1, 2, 3 }, 32)]
    public void PoolsCallingEachOther_DeepHopChains_EveryOperationAccounted(int[] threads, int spinCount)
    {
        string name = $"hop{string.Join('x', threads)}";
        const int Callers = 6;
        TimeSpan budget = StressSettings.Budget(6);
        var shape = new TreeShape
        {
            Pools = threads.Length,
            Ops = StressOps.InstallsAndJoins,
            CrossPoolRate = 0.8,
            LeafRate = 0.15,
            MaxNodes = 64,
        };
        using var pools = new StressPools(name, threads, (_, o) => o.SpinCount = spinCount);
        var harness = new StressHarness(pools, name);
        int collections = harness.RunTreesUnderGc(Callers, budget, shape);

        output.WriteLine($"{name}: {harness.Totals}; {collections} forced GCs");
        Assert.True(harness.Totals.Deepest >= 8, $"trees stayed shallow ({harness.Totals})");
    }
}
