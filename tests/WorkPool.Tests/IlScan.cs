using System.Reflection;
using System.Reflection.Emit;

namespace WorkPool.Tests;

/// <summary>Reads the calls out of a method body's IL (for tests about what the compiled library does).</summary>
internal static class IlScan
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>The methods <paramref name="method"/> calls directly.</summary>
    internal static List<MethodBase?> CalledMethods(MethodBase method) =>
        [.. CalledMethodTokens(method.GetMethodBody()!.GetILAsByteArray()!).Select(token => method.Module.ResolveMethod(token))];

    /// <summary>The method tokens of every call, callvirt, newobj, ldftn and ldvirtftn in a method body.</summary>
    internal static List<int> CalledMethodTokens(byte[] il)
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
