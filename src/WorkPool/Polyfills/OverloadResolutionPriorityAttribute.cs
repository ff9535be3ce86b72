#if !NET9_0_OR_GREATER
namespace System.Runtime.CompilerServices;

/// <summary>
/// The C# 13 overload priority attribute, which .NET 9 added to the runtime; on net8.0 the
/// compiler honors this internal copy the same way (it looks the attribute up by name).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class OverloadResolutionPriorityAttribute(int priority) : Attribute
{
    /// <summary>The priority: higher wins among otherwise ambiguous overloads.</summary>
    public int Priority { get; } = priority;
}
#endif
