using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>Without cgroups the executor still runs, says so in Health, and uses the pool only at the default limits.</summary>
public sealed class ReducedIsolationExecutorTests
{
    [SandboxFact]
    public async Task ExecuteAsync_WithoutCgroups_ReducedHealthAndPoolAtDefaultLimitsOnly()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        var options = ExecutorFixture.Options(workRoot, "/poddle-sandbox-tests-reduced");
        options.Sandbox.UseCgroups = false;
        options.Languages.Add("python");
        try
        {
            await using var executor = await SandboxCodeExecutor.StartAsync(options);
            var request = new CodeExecutionRequest("python", [new CodeFile("main.py", "print(input())"u8.ToArray())], "hi\n"u8.ToArray());

            await ExecutorFixture.WaitReadyAsync(executor, "python");
            var atDefaults = await executor.ExecuteAsync(request, CancellationToken.None);
            var afterDefaults = executor.GetPoolStats().Single();
            await ExecutorFixture.WaitReadyAsync(executor, "python");
            var otherLimits = await executor.ExecuteAsync(request with { RunLimits = new ExecutionLimits(1_000, 5_000, 128) }, CancellationToken.None);
            var afterOther = executor.GetPoolStats().Single();

            Assert.Equal(IsolationStatus.Reduced, executor.Health.Level);
            Assert.StartsWith("reduced isolation: ", executor.Health.Detail, StringComparison.Ordinal);
            Assert.Equal("hi\n"u8.ToArray(), atDefaults.Run!.Stdout);
            Assert.Equal("hi\n"u8.ToArray(), otherLimits.Run!.Stdout);
            Assert.Equal((1, 0), (afterDefaults.Hits, afterDefaults.Misses));
            Assert.Equal((1, 0), (afterOther.Hits, afterOther.Misses)); // ran cold without touching the pool
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }
}
