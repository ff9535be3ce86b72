namespace WorkPool.Tests;

/// <summary>The per-thread parker: a permit given before Park is not lost, ping-pong never hangs, and concurrent unparks never strand the owner.</summary>
public class ParkerTests
{
    [Fact]
    public void UnparkBeforePark_ParkReturns() => Bounded.Run(() =>
    {
        var parker = new Parker();
        for (int i = 0; i < 1000; i++)
        {
            parker.Unpark();
            parker.Park();
        }

        // Several unparks collapse into one permit, which is still not lost.
        parker.Unpark();
        parker.Unpark();
        parker.Park();
    });

    [Fact]
    public void PingPong_TwoThreads_NeverHangs() => Bounded.Run(() =>
    {
        const int Rounds = 100_000;
        var parkers = new[] { new Parker(), new Parker() };
        int turn = 0;
        var moves = new int[2];
        Bounded.Threads(2, me =>
        {
            int other = 1 - me;
            for (int i = 0; i < Rounds; i++)
            {
                // Park may return spuriously (a leftover permit): re-check the condition.
                while (Volatile.Read(ref turn) != me)
                {
                    parkers[me].Park();
                }

                moves[me]++;
                Volatile.Write(ref turn, other);
                parkers[other].Unpark();
            }
        });
        Assert.Equal([Rounds, Rounds], moves);
    });

    [Fact]
    public void PingPong_ThreeThreadsInARing_NeverHangs() => Bounded.Run(() =>
    {
        const int Rounds = 50_000;
        const int Threads = 3;
        Parker[] parkers = [new(), new(), new()];
        int turn = 0;
        Bounded.Threads(Threads, me =>
        {
            int next = (me + 1) % Threads;
            for (int i = 0; i < Rounds; i++)
            {
                while (Volatile.Read(ref turn) != me)
                {
                    parkers[me].Park();
                }

                Volatile.Write(ref turn, next);
                parkers[next].Unpark();
            }
        });
        Assert.Equal(0, turn);
    });

    [Fact]
    public void ManyUnparkers_OneOwner_OwnerSeesEveryIncrement() => Bounded.Run(() =>
    {
        const int Unparkers = 4;
        const int PerUnparker = 50_000;
        var parker = new Parker();
        int count = 0;
        Bounded.Threads(Unparkers + 1, t =>
        {
            if (t == Unparkers)
            {
                while (Volatile.Read(ref count) < Unparkers * PerUnparker)
                {
                    parker.Park();
                }
            }
            else
            {
                for (int i = 0; i < PerUnparker; i++)
                {
                    Interlocked.Increment(ref count);
                    parker.Unpark();
                }
            }
        });
        Assert.Equal(Unparkers * PerUnparker, count);
    });
}
