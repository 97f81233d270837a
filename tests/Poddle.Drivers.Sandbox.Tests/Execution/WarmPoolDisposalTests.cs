using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>Disposing the executor kills every prepared sandbox: no process, cgroup or run directory is left.</summary>
public sealed class WarmPoolDisposalTests
{
    private const string CgroupParent = "/poddle-sandbox-tests-disposal";

    [SandboxFact(needsCgroups: true)]
    public async Task DisposeAsync_WithPreparedSandboxes_LeavesNothing()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        try
        {
            var options = ExecutorFixture.Options(workRoot, CgroupParent);
            options.Languages.Add("python");
            options.Languages.Add("bash");
            options.WarmPool.MinPerLanguage = 2;
            options.WarmPool.MaxConcurrentPreparations = 2;
            var executor = await SandboxCodeExecutor.StartAsync(options);
            await ExecutorFixture.WaitReadyAsync(executor, "python", 2);
            await ExecutorFixture.WaitReadyAsync(executor, "bash", 2);
            var result = await executor.ExecuteAsync(
                new CodeExecutionRequest("python", [new CodeFile("main.py", "print(1)"u8.ToArray())]), CancellationToken.None);
            Assert.Equal(ExecutionVerdict.Ok, result.Verdict);
            Assert.NotEmpty(RunCgroups());
            Assert.NotEmpty(ProcessesInParent());

            await executor.DisposeAsync();

            Assert.Empty(RunCgroups());
            Assert.Empty(Directory.EnumerateFileSystemEntries(workRoot));
            Assert.Empty(ProcessesInParent());
            Assert.All(executor.GetPoolStats(), s => Assert.Equal(0, s.Ready));
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task DisposeAsync_DuringInitialize_NoPoolOutlivesTheExecutor()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        try
        {
            var options = ExecutorFixture.Options(workRoot, CgroupParent);
            options.Languages.Add("bash");
            var executor = new SandboxCodeExecutor(options);
            var initializing = executor.InitializeAsync();

            await executor.DisposeAsync();
            await initializing;
            await Task.Delay(1_500); // a pool's loop, had one started, would have prepared by now

            Assert.Empty(executor.GetPoolStats());
            Assert.Empty(RunCgroups());
            Assert.Empty(Directory.EnumerateFileSystemEntries(workRoot));
            executor.Dispose(); // and again, synchronously: harmless
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    private static List<string> RunCgroups() =>
        new[] { "memory", "cpu", "cpuacct", "pids", "unified" }
            .Select(c => $"/sys/fs/cgroup/{c}{CgroupParent}")
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .ToList();

    private static List<string> ProcessesInParent()
    {
        var found = new List<string>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Join(proc, "cgroup")).Contains(CgroupParent + "/", StringComparison.Ordinal))
                {
                    found.Add(proc);
                }
            }
            catch (IOException)
            {
                // Not a process, or one that exited while we looked.
            }
        }

        return found;
    }
}
