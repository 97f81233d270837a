using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>
/// Runs a queued execution on the executor and stores the result. Idempotent: an execution already done is left
/// alone, so a redelivered job (at-least-once) never runs a program twice after its result is stored. An execution
/// interrupted by a server stop goes back to the queue and runs again from the start.
/// </summary>
public sealed partial class ExecutionJobHandler(
    PoddleDbContext db,
    ICodeExecutor executor,
    ExecutionNotifier notifier,
    ExecutionMetrics metrics,
    TimeProvider clock,
    ILogger<ExecutionJobHandler> logger) : IJobHandler
{
    public string Kind => ExecutionService.JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(context.Payload, out var id))
        {
            LogBadPayload(logger, context.JobId);
            return;
        }

        var execution = await db.Set<Execution>().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (execution is null || execution.Status is ExecutionStatus.Completed or ExecutionStatus.Failed)
        {
            // Expired, or done by an earlier delivery of this job.
            notifier.Finish(id);
            return;
        }

        execution.Status = ExecutionStatus.Processing;
        execution.StartedAt = clock.GetStoredUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        var request = new CodeExecutionRequest(
            execution.Language,
            [.. StoredFile.FromJson(execution.FilesJson).Select(f => new CodeFile(f.Name, f.Content))],
            execution.Stdin,
            StoredFile.ArgsFromJson(execution.ArgsJson),
            new ExecutionLimits(execution.CpuLimitMs, execution.WallLimitMs, execution.MemoryLimitMb),
            execution.CompileCpuLimitMs is { } compileCpu
                ? new ExecutionLimits(compileCpu, execution.CompileWallLimitMs ?? execution.WallLimitMs, execution.CompileMemoryLimitMb ?? execution.MemoryLimitMb)
                : null);

        CodeExecutionResult result;
        string? message = null;
        try
        {
            result = await executor.ExecuteAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The executor's contract is to report host failures as internal_error; this is the net under a bug.
            LogExecutorFailed(logger, ex, id);
            result = new CodeExecutionResult(execution.Language, execution.Version ?? "", null, null);
            message = "The sandbox failed in the host; the error is in the server's log.";
        }

        var verdict = result.Verdict;
        execution.Version = string.IsNullOrEmpty(result.Version) ? execution.Version : result.Version;
        execution.Verdict = verdict.ToWireName();
        execution.ResultJson = new StoredExecutionResult(result.Compile, result.Run, message ?? (result.Run ?? result.Compile)?.Message).ToJson();
        execution.Status = verdict == ExecutionVerdict.InternalError ? ExecutionStatus.Failed : ExecutionStatus.Completed;
        execution.CompletedAt = clock.GetStoredUtcNow();

        // The result is stored even when the server is stopping now: the program ran, and running it again would
        // only repeat it.
        await db.SaveChangesAsync(CancellationToken.None);
        notifier.Finish(id);
        metrics.Finished(execution.Language, execution.Verdict, execution.StartedAt.Value - execution.CreatedAt, execution.CompletedAt.Value - execution.StartedAt.Value);
        LogFinished(logger, id, execution.Language, execution.Verdict, (result.Run ?? result.Compile)?.WallMs ?? 0);
    }

    /// <summary>stdout then stderr, as the design document's <c>output</c> field.</summary>
    public static byte[] Combine(byte[] stdout, byte[] stderr) => [.. stdout, .. stderr];

    /// <summary>Bytes as UTF-8 text; invalid sequences become U+FFFD, never an error.</summary>
    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution job {JobId} has no execution id as its payload")]
    private static partial void LogBadPayload(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Execution {ExecutionId}: the executor threw")]
    private static partial void LogExecutorFailed(ILogger logger, Exception exception, Guid executionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Execution {ExecutionId} ({Language}): {Verdict} in {WallMs} ms")]
    private static partial void LogFinished(ILogger logger, Guid executionId, string language, string verdict, long wallMs);
}
