using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using WorkPool.Analyzers;

namespace WorkPool.Tests;

/// <summary>
/// WP0001, the package's analyzer: an async lambda (or async void method) where WorkPool runs a
/// synchronous body is an error at compile time (issue 22, defect 1: <c>ForAsync(0, 10, async i
/// =&gt; ...)</c> compiled and returned with 0 of 10 bodies done); awaiting forms, lambdas that
/// return a task and synchronous lambdas (even ones that only throw) are left alone.
/// </summary>
public class AnalyzerTests
{
    [Theory]
    [InlineData("pool.ForAsync(0, 10, async i => await Task.Yield());", "ForAsync")]
    [InlineData("pool.For(0, 10, async i => await Task.Yield());", "For")]
    [InlineData("pool.ForEach(new[] { 1, 2 }, async x => await Task.Yield());", "ForEach")]
    [InlineData("pool.Spawn(async () => await Task.Yield());", "Spawn")]
    [InlineData("pool.Join(async () => await Task.Yield(), () => { });", "Join")]
    [InlineData("pool.Scope(async s => await Task.Yield());", "Scope")]
    [InlineData("pool.Scope(s => s.Spawn(async _ => await Task.Yield()));", "Spawn")]
    [InlineData("pool.Broadcast(async i => await Task.Yield());", "Broadcast")]
    [InlineData("ForkJoin.For(0, 10, async i => await Task.Yield());", "For")]
    [InlineData("pool.Spawn(AsyncVoid);", "Spawn")]
    public void AsyncBodyForASynchronousParameter_IsWP0001(string call, string method)
    {
        ImmutableArray<Diagnostic> found = Analyze(call);
        Diagnostic diagnostic = Assert.Single(found);
        Assert.Equal(AsyncVoidBodyAnalyzer.Id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains($"'{method}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pool.ForAsync(0, 10, async (i, ct) => await Task.Yield());")]
    [InlineData("pool.ForEachAsync(new[] { 1, 2 }, async (x, ct) => await Task.Yield());")]
    [InlineData("pool.Install(async () => await Task.Yield()).Wait();")]
    [InlineData("pool.For(0, 10, i => throw new InvalidOperationException());")]
    [InlineData("pool.For(0, 10, i => { });")]
    [InlineData("pool.Spawn(Plain);")]
    [InlineData("Task.Run(async () => await Task.Yield());")]
    [InlineData("Action a = async () => await Task.Yield(); a();")]
    public void AwaitingOrSynchronousBodies_AndOtherLibraries_AreClean(string call) => Assert.Empty(Analyze(call));

    private static ImmutableArray<Diagnostic> Analyze(string call)
    {
        string source = $$"""
            using System;
            using System.Threading.Tasks;
            using WorkPool;

            public static class Snippet
            {
                public static void Run(WorkStealingPool pool)
                {
                    {{call}}
                }

                private static async void AsyncVoid() => await Task.Yield();

                private static void Plain() { }
            }
            """;
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        MetadataReference[] references =
        [
            .. Directory.GetFiles(runtime, "System*.dll").Where(IsManaged).Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(Path.Combine(runtime, "netstandard.dll")),
            MetadataReference.CreateFromFile(typeof(WorkStealingPool).Assembly.Location),
        ];
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        ImmutableArray<Diagnostic> errors = [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(errors.IsEmpty, "the snippet does not compile: " + string.Join("; ", errors));
        return compilation.WithAnalyzers([new AsyncVoidBodyAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            _ = System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
