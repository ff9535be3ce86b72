using System.Collections.Concurrent;

namespace WorkPool.Tests;

/// <summary>
/// The lock-free parts behind Scope, Spawn and Broadcast under contention, with more threads
/// than cores: the shared job cache, the scope word's generation check, and the workers'
/// broadcast inboxes.
/// </summary>
public class ScopeStressTests
{
    [Fact]
    public void JobCache_FourTakersEightReturners_NoJobLostOrHandedOutTwice() => Bounded.Run(() =>
    {
        // Jobs flow between threads through one shared cache: takers take (or create, up to a
        // bound), hand the job to returners through a queue (a job in flight), and returners give
        // it back. More threads than cores, and every job stays with one holder at a time.
        const int takers = 4;
        const int returners = 8;
        const int roundsEach = 50_000;
        const int maxJobs = 64;
        var cache = new JobCache(capacity: maxJobs, batch: 1);
        var inFlight = new ConcurrentQueue<CountedJob>();
        int created = 0;
        int takersDone = 0;
        var threads = new List<Thread>();
        for (int t = 0; t < returners; t++)
        {
            threads.Add(new Thread(() =>
            {
                while (Volatile.Read(ref takersDone) < takers || !inFlight.IsEmpty)
                {
                    if (inFlight.TryDequeue(out CountedJob? job))
                    {
                        Assert.Equal(1, Interlocked.Exchange(ref job.InUse, 0));
                        cache.Return(job);
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }
            })
            { IsBackground = true, Name = "cache-returner" });
        }

        for (int t = 0; t < takers; t++)
        {
            threads.Add(new Thread(() =>
            {
                for (int i = 0; i < roundsEach; i++)
                {
                    var job = (CountedJob?)cache.TryTake();
                    if (job is null)
                    {
                        if (Interlocked.Increment(ref created) > maxJobs)
                        {
                            // Every job is in flight: wait for one to come back (never create more).
                            Interlocked.Decrement(ref created);
                            i--;
                            Thread.Yield();
                            continue;
                        }

                        job = new CountedJob(cache);
                    }

                    Assert.True(Interlocked.Exchange(ref job.InUse, 1) == 0, "a job was handed out while still in flight");
                    if (i % 7 == 0)
                    {
                        // Some jobs come back on the taker's own thread.
                        job.InUse = 0;
                        cache.Return(job);
                    }
                    else
                    {
                        inFlight.Enqueue(job);
                    }
                }

                Interlocked.Increment(ref takersDone);
            })
            { IsBackground = true, Name = "cache-taker" });
        }

        threads.ForEach(thread => thread.Start());
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(Bounded.WaitLimit), "a taker or returner thread hung");
        }

        // Every job created is back, exactly once (the cache holds as many as were ever created).
        var seen = new HashSet<PooledJob>(ReferenceEqualityComparer.Instance);
        while (cache.TryTake() is { } back)
        {
            Assert.True(seen.Add(back), "a job was in the cache twice");
        }

        Assert.Equal(Volatile.Read(ref created), seen.Count);
    });

    [Fact]
    public void StaleHandles_RacingWithScopeEnds_NeverCountIntoAnotherScope() => Bounded.Run(() =>
    {
        // At least MinScopes, and on until a stale handle was refused (a scope called from
        // outside runs on the calling thread as a guest, so 3,000 scopes can end before the
        // spawner threads have even started), up to MaxScopes.
        const int MinScopes = 3_000;
        const int MaxScopes = 300_000;
        const int scopes = MaxScopes;
        using WorkStealingPool pool = Pools.Create(2);
        var accepted = new int[scopes];
        var ran = new int[scopes];
        var ranWhenEnded = new int[scopes];
        var current = new StrongBox<(Scope Handle, int Index)>((default, -1));
        int stop = 0;
        int rejected = 0;

        // Three threads outside the pool keep spawning through whatever handle is current,
        // which is often one whose scope is ending or has ended.
        var spawners = new Thread[3];
        for (int t = 0; t < spawners.Length; t++)
        {
            spawners[t] = new Thread(() =>
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    (Scope handle, int index) = current.Value;
                    if (index < 0)
                    {
                        continue;
                    }

                    try
                    {
                        handle.Spawn((ran, index), static (s, _) => Interlocked.Increment(ref s.ran[s.index]));
                        Interlocked.Increment(ref accepted[index]);
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref rejected);
                    }
                }
            })
            { IsBackground = true, Name = "stale-spawner" };
            spawners[t].Start();
        }

        int used = 0;
        for (int i = 0; i < MinScopes || (i < MaxScopes && Volatile.Read(ref rejected) == 0); i++)
        {
            int index = i;
            used = i + 1;
            pool.Scope(scope =>
            {
                current.Value = (scope, index);
                scope.Spawn(_ => Interlocked.Increment(ref ran[index]));
                Interlocked.Increment(ref accepted[index]);
            });
            // The scope returned: every job counted into it has run, and none may run later.
            ranWhenEnded[index] = Volatile.Read(ref ran[index]);
        }

        Volatile.Write(ref stop, 1);
        foreach (Thread thread in spawners)
        {
            Assert.True(thread.Join(Bounded.WaitLimit), "a spawner thread hung");
        }

        for (int i = 0; i < used; i++)
        {
            Assert.True(ran[i] == ranWhenEnded[i], $"scope {i}: {ran[i] - ranWhenEnded[i]} jobs ran after it ended");
            Assert.True(accepted[i] == ran[i], $"scope {i}: {accepted[i]} spawns accepted, {ran[i]} ran");
        }

        Assert.True(rejected > 0, "no stale handle was ever used: the race was not exercised");
    });

    private sealed class StrongBox<T>(T value)
    {
        private readonly object _gate = new();
        private T _value = value;

        public T Value
        {
            get
            {
                lock (_gate)
                {
                    return _value;
                }
            }

            set
            {
                lock (_gate)
                {
                    _value = value;
                }
            }
        }
    }

    private sealed class CountedJob(JobCache cache) : PooledJob(cache)
    {
        public int InUse;

        internal override void Execute(Participant executor)
        {
        }
    }
}
