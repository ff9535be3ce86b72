using System.Text.RegularExpressions;

namespace WorkPool.Tests;

/// <summary>
/// docs/design/ and the code name the same things: every code identifier that a design page names
/// in backticks exists in src/ or tests/ (a renamed or deleted member, file or test leaves its page
/// stale), and every race a src/ comment cites (R1, R2, ...) is defined in docs/design/README.md's
/// table.
/// </summary>
public partial class DesignDocsTests
{
    [Fact]
    public void EveryIdentifierADesignPageNames_ExistsInSrc()
    {
        HashSet<string> words = CodeWords();
        var missing = new List<string>();
        foreach (string page in Directory.GetFiles(Path.Combine(SnippetTests.RepositoryRoot, "docs", "design"), "*.md"))
        {
            foreach (Match match in Backticked().Matches(File.ReadAllText(page)))
            {
                string name = match.Groups["name"].Value;
                if (name.EndsWith(".cs", StringComparison.Ordinal))
                {
                    name = name[..^3]; // a file: its name is its type's
                }

                // Each part of a dotted name: the type and the member.
                foreach (string part in name.Split('.'))
                {
                    if (LooksLikeEngineName(part) && !words.Contains(part) && !DotNetNames.Contains(part))
                    {
                        missing.Add($"{Path.GetFileName(page)}: `{match.Value.Trim('`')}` ({part})");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "Named in docs/design/ but not found in src/:\n" + string.Join('\n', missing.Distinct()));
    }

    [Fact]
    public void EveryRaceASrcCommentCites_IsDefinedInTheDesignIndex()
    {
        string index = File.ReadAllText(Path.Combine(SnippetTests.RepositoryRoot, "docs", "design", "README.md"));
        var defined = new HashSet<string>(RaceRow().Matches(index).Select(m => m.Groups["race"].Value));
        Assert.Contains("R1", defined);
        var undefined = new List<string>();
        foreach (string file in SrcFiles())
        {
            foreach (Match match in RaceCitation().Matches(File.ReadAllText(file)))
            {
                if (!defined.Contains(match.Value))
                {
                    undefined.Add($"{Path.GetFileName(file)}: {match.Value}");
                }
            }
        }

        Assert.True(undefined.Count == 0, "Cited in src/ but not in docs/design/README.md:\n" + string.Join('\n', undefined.Distinct()));
    }

    /// <summary>
    /// A name the engine would define: PascalCase with a lower-case letter after the first (a type
    /// or member, not an acronym such as CAS or a number), or a <c>_camelCase</c> field.
    /// </summary>
    private static bool LooksLikeEngineName(string part) =>
        part.Length > 2 && (part[0] == '_' ? char.IsLower(part[1]) : char.IsUpper(part[0]) && part.Skip(1).Any(char.IsLower));

    /// <summary>.NET's own names that the pages cite (what the engine must not call, and why).</summary>
    private static readonly HashSet<string> DotNetNames = ["WaitHandle", "WaitOne", "SpinOnce"];

    private static HashSet<string> CodeWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in SrcFiles().Concat(CodeFiles("tests")))
        {
            words.UnionWith(Path.GetFileNameWithoutExtension(file).Split('.'));
            foreach (Match word in Word().Matches(File.ReadAllText(file)))
            {
                words.Add(word.Value);
            }
        }

        return words;
    }

    private static IEnumerable<string> SrcFiles() => CodeFiles("src");

    private static IEnumerable<string> CodeFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(SnippetTests.RepositoryRoot, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    // `Name`, `Type.Member`, `Member()` or `Type<T>` in backticks; code with spaces or operators is not a name.
    [GeneratedRegex(@"`(?<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:<[A-Za-z, ]+>)?(?:\(\))?`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Word();

    [GeneratedRegex(@"^\| (?<race>R\d+) \|", RegexOptions.Multiline)]
    private static partial Regex RaceRow();

    [GeneratedRegex(@"(?<![A-Za-z0-9])R\d+(?![A-Za-z0-9])")]
    private static partial Regex RaceCitation();
}
