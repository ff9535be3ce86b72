namespace WorkPool.Tests;

/// <summary>
/// The entry point of this assembly (the test SDK's generated one is turned off), which the
/// child-process tests start through <see cref="ChildProcessProbe"/>: <c>dotnet WorkPool.Tests.dll
/// &lt;probe&gt; [arguments]</c> runs one probe in this fresh process and exits with its code.
/// Test runners load the assembly as a library and never call this.
/// </summary>
internal static class ProbeProgram
{
    public static int Main(string[] args)
    {
        int? exitCode = args switch
        {
            [AllocationProbe.Command, string test] => AllocationProbe.RunTest(test),
            [StatisticsProbes.SigQuit] => StatisticsProbes.RunSigQuit(),
            [StatisticsProbes.Disabled] => StatisticsProbes.RunDisabled(),
            [SpawnProbes.Unhandled] => SpawnProbes.RunUnhandled(),
            [SampleProbes.AllocationTest] => SampleProbes.Run(SampleProbes.AllocationTest),
            [ZeroAfterFirstCallProbe.Command, string form] => ZeroAfterFirstCallProbe.Run(form),
            [RobustnessProbes.IdleInterrupt] => RobustnessProbes.RunIdleInterrupt(),
            [RobustnessProbes.DeepRecursion] => RobustnessProbes.RunDeepRecursion(),
            _ => null,
        };
        if (exitCode is { } code)
        {
            return code;
        }

        Console.Error.WriteLine($"usage: dotnet WorkPool.Tests.dll {AllocationProbe.Command} <AllocationTests method> | {StatisticsProbes.SigQuit} | {StatisticsProbes.Disabled} | {SpawnProbes.Unhandled} | {SampleProbes.AllocationTest} | {ZeroAfterFirstCallProbe.Command} <form> | {RobustnessProbes.IdleInterrupt} | {RobustnessProbes.DeepRecursion}  (run the tests with dotnet test)");
        return 2;
    }
}
