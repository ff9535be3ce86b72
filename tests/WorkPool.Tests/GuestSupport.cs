namespace WorkPool.Tests;

/// <summary>Where a body ran, recorded from inside it: thread, pool and participant index.</summary>
internal sealed class RanAt
{
    public Thread? Thread;
    public WorkStealingPool? Pool;
    public int Index = -2;
    public int Runs;

    public void Record()
    {
        Thread = Thread.CurrentThread;
        Pool = WorkStealingPool.Current;
        Index = WorkStealingPool.CurrentWorkerIndex;
        Interlocked.Increment(ref Runs);
    }
}

/// <summary>Assertions about guest calls (see <see cref="WorkStealingPoolOptions.GuestSlots"/>).</summary>
internal static class Guests
{
    /// <summary>Whether <paramref name="index"/> is a guest slot's participant index in <paramref name="pool"/>.</summary>
    public static bool IsGuestIndex(WorkStealingPool pool, int index) => index >= pool.ThreadCount && index < pool.ParticipantCount;

    /// <summary>The body ran once, on the calling thread, as a guest of <paramref name="pool"/>.</summary>
    public static void AssertRanAsGuestOfCaller(WorkStealingPool pool, RanAt ran)
    {
        Assert.Equal(1, ran.Runs);
        Assert.Same(pool, ran.Pool);
        Assert.Same(Thread.CurrentThread, ran.Thread);
        Assert.InRange(ran.Index, pool.ThreadCount, pool.ParticipantCount - 1);
    }

    /// <summary>The body ran once, on a worker thread of <paramref name="pool"/> (named after the pool), not on the caller.</summary>
    public static void AssertRanOnWorker(WorkStealingPool pool, RanAt ran)
    {
        Assert.Equal(1, ran.Runs);
        Assert.Same(pool, ran.Pool);
        Assert.NotSame(Thread.CurrentThread, ran.Thread);
        Assert.InRange(ran.Index, 0, pool.ThreadCount - 1);
        Assert.Equal($"{pool.Name}-{ran.Index}", ran.Thread!.Name);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the calling thread while another thread holds every guest
    /// slot of <paramref name="pool"/> (it must have exactly one) inside a guest call, so the
    /// body's calls into the pool find the guest table full. Checks that the holder really was
    /// a guest, and that its call completed once released.
    /// </summary>
    public static void WithFullGuestTable(WorkStealingPool pool, Action body)
    {
        Assert.Equal(pool.ThreadCount + 1, pool.ParticipantCount);
        var held = new Gate("the holder to take the guest slot");
        var release = new Gate("the test to release the guest slot");
        int holderIndex = -2;
        Exception? holderError = null;
        var holder = new Thread(() =>
        {
            try
            {
                holderIndex = pool.Install(() =>
                {
                    held.Signal();
                    release.Wait();
                    return WorkStealingPool.CurrentWorkerIndex;
                });
            }
#pragma warning disable CA1031 // Rethrown on the test thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                holderError = e;
                if (!held.IsOpen)
                {
                    // Only this thread signals it: failed before taking the slot.
                    held.Signal();
                }
            }
        })
        { IsBackground = true, Name = "guest-slot-holder" };
        holder.Start();
        try
        {
            held.Wait();
            Assert.Null(holderError);
            body();
        }
        finally
        {
            release.Signal();
            Assert.True(holder.Join(Bounded.WaitLimit), "the guest-slot holder did not finish");
        }

        Assert.Null(holderError);
        Assert.Equal(pool.ThreadCount, holderIndex);
    }
}
