using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>
/// Executors shared by the executor tests: one with every language and a warm pool for each, one cold (Python and
/// JavaScript, no pool) to compare against. Each uses its own work root and cgroup parent, so the runner tests' "nothing left"
/// checks (which look at the default ones) never see their prepared sandboxes.
/// </summary>
public sealed class ExecutorFixture : IAsyncLifetime
{
    public SandboxCodeExecutor Warm { get; private set; } = null!;

    public SandboxCodeExecutor Cold { get; private set; } = null!;

    public string WorkRoot { get; } = NewWorkRoot();

    public static string NewWorkRoot()
    {
        var root = Directory.CreateTempSubdirectory("poddle-exec-tests-").FullName;
        // The sandbox's uid must traverse it to reach the run directories inside.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return root;
    }

    public static SandboxExecutionOptions Options(string workRoot, string cgroupParent) => new()
    {
        Sandbox = new SandboxOptions { WorkRoot = workRoot, CgroupParent = cgroupParent },
    };

    public async Task InitializeAsync()
    {
        if (!Usable())
        {
            return;
        }

        Warm = await SandboxCodeExecutor.StartAsync(Options(WorkRoot, "/poddle-sandbox-tests-warm"));
        var cold = Options(WorkRoot, "/poddle-sandbox-tests-cold");
        cold.Languages.Add("python");
        cold.Languages.Add("javascript");
        cold.WarmPool.Enabled = false;
        Cold = await SandboxCodeExecutor.StartAsync(cold);
    }

    public async Task DisposeAsync()
    {
        if (Warm is not null)
        {
            await Warm.DisposeAsync();
        }

        if (Cold is not null)
        {
            await Cold.DisposeAsync();
        }

        Directory.Delete(WorkRoot, recursive: true);
    }

    /// <summary>Waits until the language's pool has a sandbox ready, so that the next run is a hit.</summary>
    public static async Task<WarmPoolStats> WaitReadyAsync(SandboxCodeExecutor executor, string language, int ready = 1)
    {
        for (var i = 0; i < 300; i++)
        {
            var stats = executor.GetPoolStats().Single(s => s.Language == language);
            if (stats.Ready >= ready)
            {
                return stats;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the {language} pool did not get {ready} sandbox(es) ready within 15 s");
    }

    private static bool Usable() =>
        Environment.GetEnvironmentVariable("CI") == "true"
        || (SandboxRunner.Detect(new SandboxOptions()).Isolation.Level != IsolationLevel.Unavailable && File.Exists("/usr/bin/python3"));
}

[CollectionDefinition(Name)]
public sealed class ExecutorTestGroup : ICollectionFixture<ExecutorFixture>
{
    public const string Name = "executor";
}
