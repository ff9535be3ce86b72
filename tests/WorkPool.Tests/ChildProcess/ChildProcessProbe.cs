using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WorkPool.Tests;

/// <summary>
/// This test assembly started as a child process on one probe of <see cref="ProbeProgram"/>
/// (<c>dotnet WorkPool.Tests.dll &lt;probe&gt; [arguments]</c>), for what needs a process of its
/// own: exact process-wide allocation counts, a signal, a switch read once per process, a crash.
/// Its output lines are collected as they come (standard error's prefixed <c>stderr: </c>);
/// every wait is bounded, and <see cref="Dispose"/> kills a child that is still running.
/// </summary>
internal sealed class ChildProcessProbe : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ChildProcessProbe(string probe, string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ProbeProgram).Assembly.Location);
        start.ArgumentList.Add(probe);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lines.Enqueue("stderr: " + e.Data);
            }
        };
        Assert.True(_process.Start(), $"could not start the probe {probe}");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (after <see cref="WaitForExit"/>).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The output lines so far, in the order they arrived.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>The output so far, for assertions and failure messages.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Starts <paramref name="probe"/>; the caller disposes the result.</summary>
    public static ChildProcessProbe Start(string probe, params string[] arguments) => new(probe, arguments);

    /// <summary>Starts <paramref name="probe"/> and waits until it exits; fails the test if it does not within <see cref="Bounded.TestLimit"/>.</summary>
    public static ChildProcessProbe Run(string probe, params string[] arguments)
    {
        var child = new ChildProcessProbe(probe, arguments);
        try
        {
            child.WaitForExit(Bounded.TestLimit, $"The probe {probe} {string.Join(' ', arguments)} hung: it did not exit within {Bounded.TestLimit.TotalSeconds} s");
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the child exits and its output is all read; fails with <paramref name="hung"/> and the output so far if it does not within <paramref name="limit"/>.</summary>
    public void WaitForExit(TimeSpan limit, string hung)
    {
        Assert.True(_process.WaitForExit(limit), $"{hung}. Output so far:\n{Output}");
        _process.WaitForExit(); // drains the asynchronous output readers
    }

    /// <summary>Writes <paramref name="line"/> to the child's standard input and closes it.</summary>
    public void WriteLineAndCloseInput(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Close();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>The <c>dotnet</c> host that runs this process (the SDK exports its path to test runs).</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
