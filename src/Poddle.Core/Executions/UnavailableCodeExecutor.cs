using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>
/// The executor of a host that cannot run code (not Linux, or no sandbox configured): no runtimes, health
/// "unavailable" with the reason, and every execution an internal_error saying why.
/// </summary>
public sealed class UnavailableCodeExecutor(string reason) : ICodeExecutor
{
    public IReadOnlyList<LanguageRuntime> Runtimes { get; } = [];

    public ExecutorHealth Health { get; } = new(IsolationStatus.Unavailable, reason);

    public Task<CodeExecutionResult> ExecuteAsync(CodeExecutionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new CodeExecutionResult(
            request.Language,
            "",
            null,
            new StepResult(ExecutionVerdict.InternalError, null, null, 0, 0, 0, [], [], false, false, reason)));

    public IReadOnlyList<WarmPoolStats> GetPoolStats() => [];
}
