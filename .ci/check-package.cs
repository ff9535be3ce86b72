// Checks what `dotnet pack` produced (run by .ci/run): dotnet run .ci/check-package.cs -- <folder>
// Fails unless the .nupkg holds both target frameworks' DLLs with their XML docs and the README,
// and the .snupkg holds both PDBs.
using System.IO.Compression;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: dotnet run .ci/check-package.cs -- <folder with WorkPool.*.nupkg>");
    return 2;
}

string[] packages = Directory.GetFiles(args[0], "WorkPool.*.nupkg");
string[] symbols = Directory.GetFiles(args[0], "WorkPool.*.snupkg");
var missing = new List<string>();
if (packages.Length != 1 || symbols.Length != 1)
{
    Console.Error.WriteLine($"expected one WorkPool .nupkg and one .snupkg in {args[0]}, found {packages.Length} and {symbols.Length}");
    return 1;
}

Check(packages[0], ["README.md", "lib/net8.0/WorkPool.dll", "lib/net8.0/WorkPool.xml", "lib/net10.0/WorkPool.dll", "lib/net10.0/WorkPool.xml", "analyzers/dotnet/cs/WorkPool.Analyzers.dll"]);
Check(symbols[0], ["lib/net8.0/WorkPool.pdb", "lib/net10.0/WorkPool.pdb"]);
if (missing.Count != 0)
{
    Console.Error.WriteLine("package check failed, missing: " + string.Join(", ", missing));
    return 1;
}

Console.WriteLine($"package check: {Path.GetFileName(packages[0])} and {Path.GetFileName(symbols[0])} hold both target frameworks, XML docs, README and PDBs");
return 0;

void Check(string path, string[] entries)
{
    using ZipArchive archive = ZipFile.OpenRead(path);
    var names = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    foreach (string entry in entries)
    {
        if (!names.Contains(entry) || archive.GetEntry(entry) is not { Length: > 0 })
        {
            missing.Add($"{Path.GetFileName(path)}:{entry}");
        }
    }
}
