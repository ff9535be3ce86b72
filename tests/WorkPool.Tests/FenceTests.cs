using System.Reflection;

namespace WorkPool.Tests;

/// <summary>
/// The schedule explorer (tests/WorkPool.ScheduleTests) runs sequentially consistent schedules,
/// so it cannot notice a missing fence. This pins the fences the lock-free algorithms need, at
/// the IL level, so that none is "optimized" away unnoticed: each listed method must still call
/// its interlocked operation (a full fence on every platform .NET runs on), directly or through
/// a helper of its own type (such as <see cref="ParkingCount.InterlockedSubtractPending"/>).
/// Where the test names a method that was renamed or moved, move the fence's entry with it.
/// </summary>
public sealed class FenceTests
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    [Theory]
    [InlineData(typeof(WorkDeque), "TryPop", "Exchange", "the bottom store before the read of top (else owner and thief both take the last job)")]
    [InlineData(typeof(WorkDeque), "PopLast", "CompareExchange", "the owner races thieves for the last job on top")]
    [InlineData(typeof(WorkDeque), "TrySteal", "MemoryBarrier", "between the thief's reads of top and bottom")]
    [InlineData(typeof(WorkDeque), "TrySteal", "CompareExchange", "a thief claims a job by CAS on top")]
    [InlineData(typeof(InjectorRing), "TryDequeue", "Exchange", "freeing a slot before reading the waiting-producer count (Dekker pair)")]
    [InlineData(typeof(InjectorRing), "RegisterWaiterOrEnqueue", "Increment", "the waiting-producer count before the retry (Dekker pair)")]
    [InlineData(typeof(AwaitedJob), "Complete", "Exchange", "the executor learns atomically whether the owner parked")]
    [InlineData(typeof(AwaitedJob), "TryAnnounceParking", "CompareExchange", "the owner's announcement versus the executor's completion")]
    [InlineData(typeof(Parker), "Park", "Exchange", "consuming the permit")]
    [InlineData(typeof(Parker), "Unpark", "Exchange", "publishing the permit")]
    [InlineData(typeof(ParkingCount), "Complete", "Add", "a completer learns atomically whether the owner parked")]
    [InlineData(typeof(ParkingCount), "TryRegisterWaiter", "CompareExchange", "the owner's parked flag versus the last completion")]
    [InlineData(typeof(Sleepers), "Announce", "Increment", "the sleeper count before the last look")]
    [InlineData(typeof(Sleepers), "Announce", "Exchange", "the sleep state before the last look")]
    public void FenceIsPresent(Type type, string method, string interlocked, string why)
    {
        MethodInfo[] candidates = [.. type.GetMethods(All).Where(m => m.Name == method)];
        Assert.True(candidates.Length > 0, $"{type.Name}.{method} no longer exists: move this fence check ({why}) to where the code went.");
        bool found = candidates.Any(m => Calls(m, type, interlocked, []));
        Assert.True(found, $"{type.Name}.{method} no longer calls Interlocked.{interlocked}: that fence orders {why}.");
    }

    /// <summary>Whether <paramref name="method"/> calls <c>Interlocked.{interlocked}</c>, directly or through methods of <paramref name="type"/>.</summary>
    private static bool Calls(MethodBase method, Type type, string interlocked, HashSet<MethodBase> seen)
    {
        if (!seen.Add(method) || method.GetMethodBody() is null)
        {
            return false;
        }

        foreach (MethodBase? called in IlScan.CalledMethods(method))
        {
            if (called?.DeclaringType == typeof(Interlocked) && called.Name == interlocked)
            {
                return true;
            }

            if (called?.DeclaringType == type && Calls(called, type, interlocked, seen))
            {
                return true;
            }
        }

        return false;
    }
}
