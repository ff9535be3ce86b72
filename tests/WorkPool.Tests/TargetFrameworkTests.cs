namespace WorkPool.Tests;

/// <summary>The test run of each target framework runs on that framework's runtime (net8.0 self-contained on the .NET 8 runtime pack).</summary>
public class TargetFrameworkTests
{
    [Fact]
    public void Tests_RunOnTheRuntimeOfTheirTargetFramework()
    {
#if NET10_0
        const int expected = 10;
#elif NET8_0
        const int expected = 8;
#else
        const int expected = -1;
#endif
        Assert.Equal(expected, Environment.Version.Major);
    }

    [Fact]
    public void Library_IsTheBuildOfTheSameTargetFramework()
    {
        var attribute = (System.Runtime.Versioning.TargetFrameworkAttribute?)Attribute.GetCustomAttribute(
            typeof(WorkStealingPool).Assembly, typeof(System.Runtime.Versioning.TargetFrameworkAttribute));
        Assert.NotNull(attribute);
        Assert.Equal($".NETCoreApp,Version=v{Environment.Version.Major}.0", attribute.FrameworkName);
    }
}
