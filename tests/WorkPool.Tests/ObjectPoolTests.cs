using System.Text;
using Microsoft.Extensions.ObjectPool;

namespace WorkPool.Tests;

/// <summary>
/// The pool's ObjectPool: the policies users have, a participant's own slot (the same object
/// back, no creation), the shared store for outside threads, dropping (and disposing) what is
/// not kept, and a stress test under contention in which no object is ever held twice.
/// </summary>
public class ObjectPoolTests
{
    [Fact]
    public void DefaultPolicy_OutsideThread_GetsBackWhatItReturned()
    {
        using WorkStealingPool pool = Pools.Create(2);
        ObjectPool<List<int>> objects = pool.CreateObjectPool(new DefaultPooledObjectPolicy<List<int>>());
        List<int> first = objects.Get();
        objects.Return(first);
        Assert.Same(first, objects.Get());
        Assert.NotSame(first, objects.Get());
        Assert.Throws<ArgumentNullException>(() => objects.Return(null!));
        Assert.Throws<ArgumentNullException>(() => pool.CreateObjectPool<List<int>>(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.CreateObjectPool(new DefaultPooledObjectPolicy<List<int>>(), 0));
    }

    [Fact]
    public void StringBuilderPolicy_ReturnsClearedBuilders_AndDropsOversizedOnes() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(2);
        ObjectPool<StringBuilder> builders = pool.CreateObjectPool(new StringBuilderPooledObjectPolicy { MaximumRetainedCapacity = 1024 });
        pool.Install(builders, static b =>
        {
            StringBuilder builder = b.Get();
            builder.Append("hello");
            b.Return(builder);
            StringBuilder again = b.Get();
            Assert.Same(builder, again);
            Assert.Equal(0, again.Length);
            again.Append('x', 10_000);
            b.Return(again);
            Assert.NotSame(again, b.Get());
        });
    });

    [Fact]
    public void EveryWorker_GetsItsOwnObjectBack_CreatingOneEach() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3);
        var policy = new CountingPolicy();
        ObjectPool<Tracked> objects = pool.CreateObjectPool(policy);
        var perWorker = new Tracked?[pool.ThreadCount];
        for (int round = 0; round < 200; round++)
        {
            pool.Broadcast((objects, perWorker), static (s, index) =>
            {
                Tracked item = s.objects.Get();
                Assert.True(s.perWorker[index] is null || ReferenceEquals(s.perWorker[index], item), "a worker gets its own object back");
                s.perWorker[index] = item;
                s.objects.Return(item);
            });
        }

        Assert.Equal(pool.ThreadCount, policy.Created);
        Assert.Equal(pool.ThreadCount, perWorker.Distinct().Count());
    });

    [Fact]
    public void ObjectsNotKept_AreDisposed() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        var refusing = new RefusingPolicy();
        ObjectPool<Disposable> objects = pool.CreateObjectPool(refusing, maximumRetained: 2);
        Disposable refused = objects.Get();
        objects.Return(refused);
        Assert.True(refused.Disposed);

        ObjectPool<Disposable> keeping = pool.CreateObjectPool(new DefaultPooledObjectPolicy<Disposable>(), maximumRetained: 2);
        Disposable[] items = [keeping.Get(), keeping.Get(), keeping.Get()];
        foreach (Disposable item in items)
        {
            keeping.Return(item);
        }

        // The shared store keeps two (outside the pool there is no slot): the third is dropped.
        Assert.Equal(1, items.Count(static i => i.Disposed));
    });

    [Fact]
    public void Stress_MoreThreadsThanCores_NoObjectIsEverHeldTwice() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(3, o => o.GuestSlots = 2);
        var policy = new CountingPolicy();
        ObjectPool<Tracked> objects = pool.CreateObjectPool(policy, maximumRetained: 4);
        const int Outside = 6;
        const int OpsPerThread = 20_000;
        long[] ops = new long[Outside];
        long[] loopOps = new long[1];
        Bounded.Threads(Outside, t =>
        {
            for (int i = 0; i < OpsPerThread; i++)
            {
                if ((t & 1) == 0 && i % 1000 == 0)
                {
                    // Half of the threads also run loops on the pool (as guests when a slot is free).
                    pool.For(0, 256, (objects, loopOps), static (s, _) =>
                    {
                        Use(s.objects);
                        Interlocked.Increment(ref s.loopOps[0]);
                    });
                }

                Use(objects);
                ops[t]++;
            }
        });
        Assert.Equal(Outside * (long)OpsPerThread, ops.Sum());
        Assert.Equal(Outside / 2 * (OpsPerThread / 1000) * 256L, loopOps[0]);
        Assert.All(policy.Live, static t => Assert.Equal(0, t.InUse));
    });

    /// <summary>Takes an object, marks it in use (it must not be), holds it briefly, frees it and returns it.</summary>
    private static void Use(ObjectPool<Tracked> objects)
    {
        Tracked item = objects.Get();
        Assert.Equal(0, Interlocked.Exchange(ref item.InUse, 1));
        Thread.SpinWait(20);
        Assert.Equal(1, Interlocked.Exchange(ref item.InUse, 0));
        objects.Return(item);
    }

    internal sealed class Tracked
    {
        public int InUse;
    }

    private sealed class CountingPolicy : PooledObjectPolicy<Tracked>
    {
        private int _created;

        public int Created => Volatile.Read(ref _created);

        public System.Collections.Concurrent.ConcurrentBag<Tracked> Live { get; } = [];

        public override Tracked Create()
        {
            Interlocked.Increment(ref _created);
            var item = new Tracked();
            Live.Add(item);
            return item;
        }

        public override bool Return(Tracked obj) => true;
    }

    public sealed class Disposable : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class RefusingPolicy : PooledObjectPolicy<Disposable>
    {
        public override Disposable Create() => new();

        public override bool Return(Disposable obj) => false;
    }
}
