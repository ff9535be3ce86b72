// Checks what `dotnet pack` produced (run by .ci/run): dotnet run .ci/check-package.cs -- <folder>
// Fails unless the .nupkg holds both target frameworks' DLLs with their XML docs and the README,
// and the .snupkg holds both PDBs.
using System.IO.Compression;

if (args.Length is not (1 or 2) || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: dotnet run .ci/check-package.cs -- <folder with WorkPool.*.nupkg> [package id, default WorkPool]");
    return 2;
}

// The library's package by default; another id (WorkPool.Extensions.Hosting) is checked for its own DLLs, docs and PDBs.
string id = args.Length == 2 ? args[1] : "WorkPool";
string[] packages = Directory.GetFiles(args[0], id + ".*.nupkg").Where(p => IsVersion(Path.GetFileName(p)[(id.Length + 1)..])).ToArray();
string[] symbols = Directory.GetFiles(args[0], id + ".*.snupkg").Where(p => IsVersion(Path.GetFileName(p)[(id.Length + 1)..])).ToArray();
var missing = new List<string>();
if (packages.Length != 1 || symbols.Length != 1)
{
    Console.Error.WriteLine($"expected one WorkPool .nupkg and one .snupkg in {args[0]}, found {packages.Length} and {symbols.Length}");
    return 1;
}

if (id == "WorkPool")
{
    Check(packages[0], ["README.md", "lib/net8.0/WorkPool.dll", "lib/net8.0/WorkPool.xml", "lib/net10.0/WorkPool.dll", "lib/net10.0/WorkPool.xml", "analyzers/dotnet/cs/WorkPool.Analyzers.dll"]);
}
else
{
    Check(packages[0], [$"lib/net8.0/{id}.dll", $"lib/net8.0/{id}.xml", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"]);
}

Check(symbols[0], [$"lib/net8.0/{id}.pdb", $"lib/net10.0/{id}.pdb"]);
if (missing.Count != 0)
{
    Console.Error.WriteLine("package check failed, missing: " + string.Join(", ", missing));
    return 1;
}

Console.WriteLine($"package check: {Path.GetFileName(packages[0])} and {Path.GetFileName(symbols[0])} hold both target frameworks, XML docs and PDBs");
return 0;

// "0.1.0.nupkg" after the id: a version, not a longer id ("Extensions.Hosting.0.1.0.nupkg" after "WorkPool.").
static bool IsVersion(string rest) => rest.Length > 0 && char.IsDigit(rest[0]);

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
