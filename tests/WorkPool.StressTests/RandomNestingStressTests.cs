namespace WorkPool.StressTests;

/// <summary>
/// Random trees of every operation (Install, Join, ForkContext.Join, ForkJoin.Join, For,
/// ForRange in all their forms), nested up to depth 16 across two pools (A → B → A ...), from
/// several outside callers at once, with an injected exception in 1% of the operations and
/// forced compacting GCs from a side thread. Every tree is checked exactly (see
/// <see cref="TreeRun.Verify"/>).
/// </summary>
public sealed class RandomNestingStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 2, 512)]
    [InlineData(1, 1, 0)]
    [InlineData(2, 1, 16)]
    public void RandomTrees_TwoPools_EveryOperationRunsOnceEveryExceptionArrives(int threadsA, int threadsB, int spinCount) =>
        Run($"nest{threadsA}x{threadsB}", [threadsA, threadsB], spinCount, callers: 4, seconds: 7);

    [Theory]
    [InlineData(16, 3)]
    [InlineData(64, 16)]
    public void RandomTrees_OversubscribedPools_EveryOperationRunsOnceEveryExceptionArrives(int threadsA, int threadsB) =>
        Run($"over{threadsA}x{threadsB}", [threadsA, threadsB], spinCount: 64, callers: 4, seconds: 8);

    private void Run(string name, int[] threads, int spinCount, int callers, double seconds)
    {
        TimeSpan budget = StressSettings.Budget(seconds);
        var shape = new TreeShape { Pools = threads.Length };
        using var pools = new StressPools(name, threads, (_, o) => o.SpinCount = spinCount);
        var harness = new StressHarness(pools, name);
        int collections = harness.RunTreesUnderGc(callers, budget, shape);

        output.WriteLine($"{name}: {harness.Totals}; {collections} forced GCs");
        Assert.True(harness.Totals.Trees >= callers);
    }
}
