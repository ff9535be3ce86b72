using System.Globalization;

namespace WorkPool.Tests;

/// <summary>
/// The one synchronization primitive between test threads: closed until it has been signaled
/// <c>count</c> times, then open for good. As a one-shot signal (count 1: "the job started", "the
/// test releases the job"), a countdown (count n: "every caller finished") or a single-use
/// rendezvous of n threads (<see cref="SignalAndWait"/>). Every wait is bounded by
/// <see cref="Bounded.WaitLimit"/> and fails the test, naming what it waited for, instead of
/// hanging.
/// </summary>
internal sealed class Gate
{
    private readonly object _lock = new();
    private readonly string _what;
    private readonly int _count;
    private int _missing;

    /// <param name="what">What opening the gate means, for the failure message of a wait that times out ("B to start").</param>
    /// <param name="count">How many signals open it.</param>
    public Gate(string what, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _what = what;
        _count = count;
        _missing = count;
    }

    /// <summary>Whether every signal has arrived (a snapshot; acquire).</summary>
    public bool IsOpen => Volatile.Read(ref _missing) <= 0;

    /// <summary>One of the signals; the last one opens the gate and releases every waiter. More signals than the count fail the test.</summary>
    public void Signal()
    {
        int missing = Interlocked.Decrement(ref _missing);
        if (missing < 0)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"The gate '{_what}' was signaled more than {_count} times."));
        }

        if (missing == 0)
        {
            // A waiter checks the count under the lock and releases it only inside Wait, so this
            // pulse either finds it waiting or comes before its check (which then sees zero).
            lock (_lock)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Blocks until the gate is open; fails the test if it is not within <see cref="Bounded.WaitLimit"/>.</summary>
    public void Wait()
    {
        if (IsOpen)
        {
            return;
        }

        long deadline = Environment.TickCount64 + (long)Bounded.WaitLimit.TotalMilliseconds;
        lock (_lock)
        {
            while (Volatile.Read(ref _missing) > 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"Hung waiting for {_what} ({Bounded.WaitLimit.TotalSeconds} s; {Volatile.Read(ref _missing)} of {_count} signals missing)."));
                }

                Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left));
            }
        }
    }

    /// <summary>A rendezvous: signals, then waits until every other participant has signaled too.</summary>
    public void SignalAndWait()
    {
        Signal();
        Wait();
    }
}
