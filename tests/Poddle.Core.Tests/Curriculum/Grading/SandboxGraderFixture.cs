using System.Runtime.Versioning;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;
using Poddle.Drivers.Sandbox;

namespace Poddle.Core.Tests.Curriculum.Grading;

/// <summary>
/// A real <see cref="SandboxCodeExecutor"/> (bubblewrap, python and c (gcc), a small warm pool) shared by the grading tests
/// that run code. Its own uid, cgroup parent and work root, so the sandbox tests' leftover checks never see its runs.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SandboxGraderFixture : IAsyncLifetime
{
    private const int Uid = 64533;

    private readonly DirectoryInfo _workRoot = Directory.CreateTempSubdirectory("poddle-grader-tests-");

    public SandboxCodeExecutor Executor { get; private set; } = null!;

    public ProblemGrader Grader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (SandboxFactAttribute.SkipReason() is not null)
        {
            return;
        }

        // The sandbox's uid must traverse the work root to reach its run directory.
        File.SetUnixFileMode(_workRoot.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var options = new SandboxExecutionOptions
        {
            Sandbox = new SandboxOptions { WorkRoot = _workRoot.FullName, CgroupParent = "/poddle-grader-tests", SandboxUid = Uid, SandboxGid = Uid },
        };
        options.Languages.Add("python");
        options.Languages.Add("c");
        Executor = await SandboxCodeExecutor.StartAsync(options);
        Assert.Contains(Executor.Runtimes, r => r.Language == "python");
        Assert.Contains(Executor.Runtimes, r => r.Language == "c");
        Grader = new ProblemGrader(Executor);
    }

    public async Task DisposeAsync()
    {
        if (Executor is not null)
        {
            await Executor.DisposeAsync();
        }

        _workRoot.Delete(recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxGrading : ICollectionFixture<SandboxGraderFixture>
{
    public const string Name = "Grading on the real sandbox";
}

/// <summary>
/// A test that needs bubblewrap, /usr/bin/python3 and gcc. Skipped on a developer machine without them; on CI (CI=true)
/// it runs anyway and fails, because CI installs bubblewrap (scripts/test.sh).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxFactAttribute : FactAttribute
{
    public SandboxFactAttribute()
    {
        Skip = SkipReason();
    }

    /// <summary>Null when the test must run.</summary>
    public static string? SkipReason()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return null;
        }

        if (!OperatingSystem.IsLinux())
        {
            return "the sandbox is Linux only";
        }

        var (isolation, _) = SandboxRunner.Detect(new SandboxOptions());
        return isolation.Level == IsolationLevel.Unavailable || !File.Exists("/usr/bin/python3")
            ? $"needs bubblewrap and /usr/bin/python3 ({isolation})"
            : null;
    }
}

/// <summary>Problems built in code for the grading tests.</summary>
internal static class Problems
{
    public static Problem Function(string functionName, params TestCase[] tests) =>
        new("t-" + functionName, "T", "11-14", 1, "Numbers", 1, [], "s", string.Empty, "python", OutputComparison.Trim, new ProblemLimits(1_000, 64), functionName, tests, null, null);

    public static Problem Stdin(OutputComparison comparison, params TestCase[] tests) =>
        new("t-stdin", "T", "11-14", 1, "Numbers", 1, [], "s", string.Empty, "python", comparison, new ProblemLimits(1_000, 64), null, tests, null, null);
}
