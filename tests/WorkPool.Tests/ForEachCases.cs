namespace WorkPool.Tests;

/// <summary>The ForEach tests' cases: called from outside or from a worker, over sources of 0, 1, 7 and 1,000 elements.</summary>
public static class ForEachCases
{
    /// <summary>Every (from a worker, length) pair.</summary>
    public static TheoryData<bool, int> SidesAndLengths()
    {
        var data = new TheoryData<bool, int>();
        foreach (bool fromWorker in new[] { false, true })
        {
            foreach (int length in new[] { 0, 1, 7, 1000 })
            {
                data.Add(fromWorker, length);
            }
        }

        return data;
    }
}
