namespace WorkPool.Tests;

/// <summary>What the ForEach tests (arrays and memory, lists) count and check with.</summary>
internal static class ForEachProbes
{
    /// <summary>Asserts that every element was counted <paramref name="expected"/> times.</summary>
    public static void AssertAll(int[] counts, int expected, string form)
    {
        for (int i = 0; i < counts.Length; i++)
        {
            Assert.True(counts[i] == expected, $"{form}: element {i} counted {counts[i]} times, expected {expected}.");
        }
    }

    /// <summary>Multiplies each element by 10 and adds 1, in place; checks each index is visited once.</summary>
    public struct TimesTenBody(int[] visits) : IForEachBody<int>
    {
        public int Hits;

        public void Invoke(ref int element, int index)
        {
            Assert.Equal(1, Interlocked.Increment(ref visits[index]));
            element = (element * 10) + 1;
            Interlocked.Increment(ref Hits);
        }
    }

    /// <summary>Copies each element to its index in <see cref="Seen"/>.</summary>
    public struct ReadBody(int[] seen) : IReadOnlyForEachBody<int>
    {
        public int Hits;

        public readonly int[] Seen => seen;

        public void Invoke(in int element, int index)
        {
            seen[index] = element;
            Interlocked.Increment(ref Hits);
        }
    }
}
