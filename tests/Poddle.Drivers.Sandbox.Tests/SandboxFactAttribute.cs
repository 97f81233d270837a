namespace Poddle.Drivers.Sandbox.Tests;

/// <summary>
/// A test that needs bubblewrap (and python3). Skipped on a developer machine without it; on CI (CI=true) it runs
/// anyway and fails, because CI installs bubblewrap (scripts/test.sh).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxFactAttribute : FactAttribute
{
    public SandboxFactAttribute(bool needsCgroups = false)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return;
        }

        var (isolation, _) = SandboxRunner.Detect(new SandboxOptions());
        if (isolation.Level == IsolationLevel.Unavailable || !File.Exists("/usr/bin/python3"))
        {
            Skip = $"needs bubblewrap and /usr/bin/python3 ({isolation})";
        }
        else if (needsCgroups && isolation.Level != IsolationLevel.Full)
        {
            Skip = $"needs writable cgroups, run as root ({isolation})";
        }
    }
}

/// <summary>The theory form of <see cref="SandboxFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxTheoryAttribute : TheoryAttribute
{
    public SandboxTheoryAttribute()
    {
        Skip = new SandboxFactAttribute().Skip;
    }
}
