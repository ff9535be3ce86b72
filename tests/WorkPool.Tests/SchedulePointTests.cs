using System.Reflection;
using System.Reflection.Emit;

namespace WorkPool.Tests;

/// <summary>
/// The schedule points of the exploration build (tests/WorkPool.ScheduleTests) cost nothing in
/// the shipped library: no method of WorkPool.dll calls them, and they themselves are empty.
/// </summary>
public sealed class SchedulePointTests
{
    private const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

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
                if (type != schedulePoint && CalledMethodTokens(il).Any(hooks.Contains))
                {
                    callers.Add($"{type.Name}.{method.Name}");
                }

                if (type == schedulePoint)
                {
                    // Hit and Spin call only the unimplemented partial OnHit, which the compiler removed.
                    Assert.Empty(CalledMethodTokens(il));
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
        List<MethodBase?> called = [.. CalledMethodTokens(il).Select(token => trySteal.Module.ResolveMethod(token))];
        Assert.Contains(called, m => m?.DeclaringType == typeof(Interlocked) && m.Name == nameof(Interlocked.CompareExchange));
        Assert.Contains(called, m => m?.DeclaringType == typeof(Interlocked) && m.Name == nameof(Interlocked.MemoryBarrier));
    }

    /// <summary>The method tokens of every call, callvirt, newobj, ldftn and ldvirtftn in a method body.</summary>
    private static List<int> CalledMethodTokens(byte[] il)
    {
        List<int> tokens = [];
        int position = 0;
        while (position < il.Length)
        {
            short value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
            position += il[position] == 0xFE ? 2 : 1;
            OpCode code = s_opCodes[value];
            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                case OperandType.InlineMethod:
                    tokens.Add(BitConverter.ToInt32(il, position));
                    position += 4;
                    break;
                default:
                    position += 4;
                    break;
            }
        }

        return tokens;
    }
}
