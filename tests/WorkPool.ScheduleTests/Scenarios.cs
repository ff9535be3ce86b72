[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace WorkPool.ScheduleTests;

/// <summary>An element of the structures under test, identified by its number.</summary>
internal sealed class TestJob(int id) : Job
{
    internal int Id { get; } = id;

    internal override void Execute(Participant executor) => throw new InvalidOperationException("Test jobs are only moved, never run.");
}

/// <summary>
/// Who took which element. Only one thread runs at a time under the scheduler, so plain fields
/// are enough; the checks run after the run.
/// </summary>
internal sealed class TakenLog
{
    private readonly List<string>[] _takers;

    internal TakenLog(int count)
    {
        _takers = new List<string>[count];
        for (int i = 0; i < count; i++)
        {
            _takers[i] = [];
        }
    }

    internal int Total { get; private set; }

    internal void Add(Job? job, string taker)
    {
        if (job is null)
        {
            return;
        }

        _takers[((TestJob)job).Id].Add(taker);
        Total++;
    }

    internal void AssertEachExactlyOnce()
    {
        for (int i = 0; i < _takers.Length; i++)
        {
            Assert.True(_takers[i].Count == 1, _takers[i].Count == 0
                ? $"Element {i} was lost: nobody took it."
                : $"Element {i} was taken {_takers[i].Count} times, by {string.Join(" and ", _takers[i])}.");
        }
    }
}
