using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace WorkPool.Tests;

/// <summary>
/// Time bounds for concurrency tests: a hang fails the test with a message instead of hanging
/// the run. None of these is a timing threshold: the limits are generous deadlines that a
/// correct engine never comes near, only a deadlocked or livelocked one reaches.
/// </summary>
internal static class Bounded
{
    /// <summary>How long a whole test body may run before it counts as hung.</summary>
    public static readonly TimeSpan TestLimit = TimeSpan.FromSeconds(90);

    /// <summary>How long a group of threads may run before it counts as hung (shorter than <see cref="TestLimit"/>, so a hung thread group is reported as such).</summary>
    public static readonly TimeSpan ThreadsLimit = TimeSpan.FromSeconds(60);

    /// <summary>How long one wait inside a test may block before it counts as hung (shorter than <see cref="TestLimit"/>, so the inner failure is the one reported).</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="body"/> on a dedicated background thread; fails if it does not finish within <see cref="TestLimit"/>, rethrows its exception otherwise.</summary>
    public static void Run(Action body, [CallerMemberName] string test = "")
    {
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
#pragma warning disable CA1031 // Any failure of the body is rethrown on the test thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "test-body " + test,
        };
        thread.Start();
        bool finished = thread.Join(TestLimit);
        Assert.True(finished, $"{test} hung: its body did not finish within {TestLimit.TotalSeconds} s (deadlock or lost wake-up).");
        error?.Throw();
    }

    /// <summary>Like <see cref="Run"/>, for a body that returns a value.</summary>
    public static T RunFunc<T>(Func<T> body, [CallerMemberName] string test = "")
    {
        T result = default!;
        Run(() => result = body(), test);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(i) on <paramref name="count"/> dedicated threads released
    /// together; fails if any has not finished within <see cref="ThreadsLimit"/>, rethrows the
    /// first exception (all exceptions in an <see cref="AggregateException"/> when several threw).
    /// </summary>
    public static void Threads(int count, Action<int> body, [CallerMemberName] string test = "")
    {
        var errors = new ExceptionDispatchInfo?[count];
        var threads = new Thread[count];
        var start = new Gate("the start signal");
        for (int i = 0; i < count; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    start.Wait();
                    body(index);
                }
#pragma warning disable CA1031 // Every thread's failure is collected and rethrown on the caller.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors[index] = ExceptionDispatchInfo.Capture(e);
                }
            })
            {
                IsBackground = true,
                Name = $"test-thread {test} #{index}",
            };
            threads[i].Start();
        }

        start.Signal();
        DateTime deadline = DateTime.UtcNow + ThreadsLimit;
        for (int i = 0; i < count; i++)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            bool finished = threads[i].Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            Assert.True(finished, $"{test} hung: thread #{i} of {count} did not finish within {ThreadsLimit.TotalSeconds} s (deadlock or lost wake-up).");
        }

        List<Exception> failures = [.. errors.Where(e => e is not null).Select(e => e!.SourceException)];
        if (failures.Count == 1)
        {
            errors.First(e => e is not null)!.Throw();
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"{failures.Count} of {count} threads failed", failures);
        }
    }

    /// <summary>Spins (with yields, never sleeps) until <paramref name="condition"/> holds; fails with a message if it does not within <see cref="WaitLimit"/>.</summary>
    public static void Until(Func<bool> condition, string what)
    {
        long deadline = Environment.TickCount64 + (long)WaitLimit.TotalMilliseconds;
        SpinWait spinner = default;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"Hung waiting until {what} ({WaitLimit.TotalSeconds} s).");
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>One round of a busy-wait loop: spin, then yield; never sleeps.</summary>
    public static void Pause(ref SpinWait spinner) => spinner.SpinOnce(sleep1Threshold: -1);
}
