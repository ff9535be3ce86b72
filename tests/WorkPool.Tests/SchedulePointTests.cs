using System.Reflection;

namespace WorkPool.Tests;

/// <summary>
/// The schedule points of the exploration build (tests/WorkPool.ScheduleTests) cost nothing in
/// the shipped library: no method of WorkPool.dll calls them, and they themselves are empty.
/// </summary>
public sealed class SchedulePointTests
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    [Fact]
    public void LibraryContainsNoCallToASchedulePoint()
    {
        Assembly library = typeof(WorkStealingPool).Assembly;
        Type schedulePoint = library.GetType("WorkPool.SchedulePoint", throwOnError: true)!;
        HashSet<int> hooks = [.. schedulePoint.GetMethods(All).Select(m => m.MetadataToken)];
        Assert.NotEmpty(hooks);

        List<string> callers = [];
        int scanned = 0;
        foreach (Type type in library.GetTypes())
        {
            foreach (MethodBase method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                if (method.GetMethodBody()?.GetILAsByteArray() is not { } il)
                {
                    continue;
                }

                scanned++;
                if (type != schedulePoint && IlScan.CalledMethodTokens(il).Any(hooks.Contains))
                {
                    callers.Add($"{type.Name}.{method.Name}");
                }

                if (type == schedulePoint)
                {
                    // Hit and Spin call only the unimplemented partial OnHit, which the compiler removed.
                    Assert.Empty(IlScan.CalledMethodTokens(il));
                }
            }
        }

        Assert.True(scanned > 100, $"Only {scanned} method bodies scanned.");
        Assert.True(callers.Count == 0, "Schedule point calls compiled into the library: " + string.Join(", ", callers));
    }

    [Fact]
    public void ScannerFindsCallsThatExist()
    {
        // The scanner above would pass vacuously if it missed calls: it must see TrySteal's CAS.
        MethodInfo trySteal = typeof(WorkDeque).GetMethod(nameof(WorkDeque.TrySteal), All)!;
        byte[] il = trySteal.GetMethodBody()!.GetILAsByteArray()!;
        List<MethodBase?> called = [.. IlScan.CalledMethodTokens(il).Select(token => trySteal.Module.ResolveMethod(token))];
        Assert.Contains(called, m => m?.DeclaringType == typeof(Interlocked) && m.Name == nameof(Interlocked.CompareExchange));
        Assert.Contains(called, m => m?.DeclaringType == typeof(Interlocked) && m.Name == nameof(Interlocked.MemoryBarrier));
    }
}
