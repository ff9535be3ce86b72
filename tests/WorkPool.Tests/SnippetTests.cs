using System.Text;
using System.Text.RegularExpressions;

namespace WorkPool.Tests;

/// <summary>
/// Every C# snippet of README.md and docs/ is compiled code: the <c>```csharp</c> fence must follow
/// a <c>&lt;!-- snippet:NAME --&gt;</c> line, and its text must equal the lines between
/// <c>// &lt;snippet:NAME&gt;</c> and <c>// &lt;/snippet:NAME&gt;</c> in a file of
/// samples/WorkPool.Samples (less their common indentation). Every snippet a sample marks is shown
/// somewhere.
/// </summary>
public partial class SnippetTests
{
    [GeneratedRegex(@"^\s*// <snippet:(?<name>[a-z0-9-]+)>\s*$")]
    private static partial Regex SampleStart();

    [GeneratedRegex(@"^\s*// </snippet:(?<name>[a-z0-9-]+)>\s*$")]
    private static partial Regex SampleEnd();

    [GeneratedRegex(@"^<!-- snippet:(?<name>[a-z0-9-]+) -->$")]
    private static partial Regex DocMarker();

    [Fact]
    public void EveryCSharpSnippetInTheDocs_IsASampleVerbatim()
    {
        Dictionary<string, string> samples = ReadSamples();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (string doc in DocFiles())
        {
            string[] lines = ReadLines(doc);
            string pendingName = "";
            for (int i = 0; i < lines.Length; i++)
            {
                string where = $"{Relative(doc)}:{i + 1}";
                if (DocMarker().Match(lines[i]) is { Success: true } marker)
                {
                    pendingName = marker.Groups["name"].Value;
                    continue;
                }

                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    string language = lines[i].Trim()[3..];
                    int end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
                    if (end < 0)
                    {
                        problems.Add($"{where}: unclosed code fence");
                        break;
                    }

                    if (language is "csharp" or "cs" or "c#")
                    {
                        string shown = string.Join("\n", lines[(i + 1)..end]);
                        if (pendingName.Length == 0)
                        {
                            problems.Add($"{where}: a csharp fence without a <!-- snippet:NAME --> line before it (keep the code in samples/WorkPool.Samples)");
                        }
                        else if (!samples.TryGetValue(pendingName, out string? sample))
                        {
                            problems.Add($"{where}: snippet '{pendingName}' is marked in no file of samples/WorkPool.Samples");
                        }
                        else if (shown != sample)
                        {
                            problems.Add($"{where}: snippet '{pendingName}' differs from the sample; the sample's text is:\n{sample}");
                        }

                        used.Add(pendingName);
                    }
                    else if (pendingName.Length != 0)
                    {
                        problems.Add($"{where}: snippet '{pendingName}' must be shown in a ```csharp fence");
                    }

                    pendingName = "";
                    i = end;
                    continue;
                }

                if (pendingName.Length != 0 && lines[i].Trim().Length != 0)
                {
                    problems.Add($"{where}: text between <!-- snippet:{pendingName} --> and its fence");
                    pendingName = "";
                }
            }
        }

        foreach (string name in samples.Keys.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal))
        {
            problems.Add($"snippet '{name}' of samples/WorkPool.Samples is shown in no Markdown file");
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    [Fact]
    public void DocsAreFound()
    {
        // Guards the test above against passing because it looked in the wrong place.
        string[] docs = DocFiles().Select(Relative).ToArray();
        Assert.Contains("README.md", docs);
        Assert.Contains("docs/loops.md", docs);
        Assert.True(ReadSamples().Count >= 5);
    }

    private static Dictionary<string, string> ReadSamples()
    {
        var samples = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "samples"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            string[] lines = ReadLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (SampleStart().Match(lines[i]) is not { Success: true } start)
                {
                    continue;
                }

                string name = start.Groups["name"].Value;
                int end = Array.FindIndex(lines, i + 1, l => SampleEnd().Match(l) is { Success: true } m && m.Groups["name"].Value == name);
                Assert.True(end > i, $"{Relative(file)}:{i + 1}: snippet '{name}' is not closed");
                Assert.True(samples.TryAdd(name, Dedent(lines[(i + 1)..end])), $"{Relative(file)}:{i + 1}: snippet '{name}' is marked twice");
            }
        }

        return samples;
    }

    private static string Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length != 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            if (text.Length != 0)
            {
                text.Append('\n');
            }

            text.Append(line.Length >= indent ? line[indent..] : line.TrimStart());
        }

        return text.ToString();
    }

    private static IEnumerable<string> DocFiles()
    {
        yield return Path.Combine(RepositoryRoot, "README.md");
        string docs = Path.Combine(RepositoryRoot, "docs");
        if (Directory.Exists(docs))
        {
            foreach (string file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return file;
            }
        }
    }

    private static string[] ReadLines(string path) => File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static string Relative(string path) => Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/');

    /// <summary>The folder holding WorkPool.sln, above this test assembly's output folder.</summary>
    internal static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WorkPool.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No WorkPool.sln above {AppContext.BaseDirectory}.");
    }
}
