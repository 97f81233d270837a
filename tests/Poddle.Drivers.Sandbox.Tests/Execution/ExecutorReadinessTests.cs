using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>
/// Issue 13: the job queue must not hand an execution to the executor before it knows its languages (a restart's backlog
/// failed as "language not available"). <see cref="ICodeExecutor.Ready"/> is what it waits for.
/// </summary>
public sealed class ExecutorReadinessTests
{
    [SandboxFact]
    public async Task Ready_CompletesOnceTheLanguagesAreDiscovered_NotBefore()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        try
        {
            var options = ExecutorFixture.Options(workRoot, "/poddle-sandbox-tests-readiness");
            options.Languages.Add("bash");
            options.WarmPool.Enabled = false;
            await using var executor = new SandboxCodeExecutor(options);
            ICodeExecutor seam = executor;

            Assert.False(seam.Ready.IsCompleted, "not ready before discovery");
            Assert.Empty(seam.Runtimes);

            await executor.InitializeAsync();

            Assert.True(seam.Ready.IsCompletedSuccessfully);
            Assert.Contains(seam.Runtimes, r => r.Language == "bash");
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }
}
