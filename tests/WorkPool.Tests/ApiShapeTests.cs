using System.Reflection;

namespace WorkPool.Tests;

/// <summary>The public API stays regular: in every state form, the state is the delegate's first parameter.</summary>
public class ApiShapeTests
{
    [Fact]
    public void EveryStateForm_PassesTheStateFirst()
    {
        var checkedForms = new List<string>();
        var wrong = new List<string>();
        foreach (Type type in typeof(WorkStealingPool).Assembly.GetExportedTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (!method.IsGenericMethodDefinition || method.GetGenericArguments().FirstOrDefault(t => t.Name == "TState") is not { } state)
                {
                    continue;
                }

                foreach (ParameterInfo parameter in method.GetParameters())
                {
                    if (!typeof(Delegate).IsAssignableFrom(parameter.ParameterType)
                        || parameter.ParameterType.GetMethod("Invoke") is not { } invoke)
                    {
                        continue;
                    }

                    ParameterInfo[] delegateParameters = invoke.GetParameters();
                    if (!delegateParameters.Any(p => p.ParameterType == state))
                    {
                        continue; // e.g. Reduce's combine: no state
                    }

                    string form = $"{type.Name}.{method.Name}({parameter.Name}: {parameter.ParameterType.Name})";
                    checkedForms.Add(form);
                    if (delegateParameters[0].ParameterType != state)
                    {
                        wrong.Add(form);
                    }
                }
            }
        }

        Assert.Empty(wrong);
        // The forms this guards: loops, Install, Join, Spawn, Broadcast and every Scope form.
        Assert.Contains(checkedForms, f => f.StartsWith("WorkStealingPool.Scope(", StringComparison.Ordinal));
        Assert.Contains(checkedForms, f => f.StartsWith("ForkJoin.Scope(", StringComparison.Ordinal));
        Assert.Contains(checkedForms, f => f.StartsWith("Scope.Spawn(", StringComparison.Ordinal));
        Assert.Contains(checkedForms, f => f.StartsWith("WorkStealingPool.Broadcast(", StringComparison.Ordinal));
        Assert.Contains(checkedForms, f => f.StartsWith("WorkStealingPool.For(", StringComparison.Ordinal));
    }
}
