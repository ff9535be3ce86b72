using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace WorkPool.Analyzers;

/// <summary>
/// WP0001: an <c>async</c> lambda (or an <c>async void</c> method) passed where a WorkPool method
/// takes a synchronous body (<c>Action</c>, <c>Action&lt;int&gt;</c>, <c>Action&lt;Scope&gt;</c>, ...).
/// C# turns the lambda into <c>async void</c>: the pool runs it up to its first <c>await</c>,
/// and the call (a loop, a Scope, a Join) returns while the rest is still to run, unobserved;
/// an exception after the await ends the process. This is exactly what
/// <c>pool.ForAsync(0, n, async i =&gt; ...)</c> does, written by someone used to
/// <c>Parallel.ForAsync</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncVoidBodyAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The rule's id.</summary>
    public const string Id = "WP0001";

    private static readonly DiagnosticDescriptor s_rule = new(
        Id,
        title: "An async body passed where WorkPool runs a synchronous one",
        messageFormat: "'{0}' runs a synchronous body: this async lambda becomes async void, so the call returns at its first await while the rest runs unobserved; use {1}",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "C# converts an async lambda to a void-returning delegate as async void. WorkPool then waits only for the part before the first await. Loops whose bodies await take the Parallel.ForAsync shape: ForAsync(from, to, async (i, ct) => ...) and ForEachAsync(source, async (item, ct) => ...).");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(s_rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeArgument, OperationKind.Argument);
    }

    private static void AnalyzeArgument(OperationAnalysisContext context)
    {
        var argument = (IArgumentOperation)context.Operation;
        if (argument.Parameter?.ContainingSymbol is not IMethodSymbol method || !IsWorkPool(method.ContainingType))
        {
            return;
        }

        if (argument.Value is not IDelegateCreationOperation { Type: INamedTypeSymbol { DelegateInvokeMethod: { ReturnsVoid: true } } } creation)
        {
            return;
        }

        bool isAsync = creation.Target switch
        {
            IAnonymousFunctionOperation lambda => lambda.Symbol.IsAsync,
            IMethodReferenceOperation reference => reference.Method.IsAsync,
            _ => false,
        };
        if (isAsync)
        {
            context.ReportDiagnostic(Diagnostic.Create(s_rule, creation.Syntax.GetLocation(), method.Name, Advice(method.Name)));
        }
    }

    private static string Advice(string method) => method switch
    {
        "For" or "ForAsync" => "ForAsync(from, to, async (i, ct) => ...), which awaits every body",
        "ForEach" => "ForEachAsync(source, async (item, ct) => ...), which awaits every body",
        _ => "InstallAsync or ScopeAsync and await the work, or keep the body synchronous",
    };

    /// <summary>A type of the WorkPool library (its assembly), whose bodies the pool waits for.</summary>
    private static bool IsWorkPool(INamedTypeSymbol? type) => type?.ContainingAssembly?.Name == "WorkPool";
}
