using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Executions;

/// <summary>
/// The recurring job that deletes executions (code, input and results) older than
/// <see cref="ExecutionOptions.ResultRetention"/>. Deleting is idempotent.
/// </summary>
public sealed partial class ExecutionExpiryJob(
    PoddleDbContext db,
    IOptions<ExecutionOptions> options,
    TimeProvider clock,
    ILogger<ExecutionExpiryJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.ExecutionExpiry;
    public const string ScheduleName = "execution-expiry";

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var before = clock.GetStoredUtcNow() - options.Value.ResultRetention;

        // Unfinished executions are kept: their job still refers to them (a lost one is finished by its job's retries).
        var deleted = await db.Set<Execution>()
            .Where(e => e.CreatedAt < before && (e.Status == ExecutionStatus.Completed || e.Status == ExecutionStatus.Failed))
            .ExecuteDeleteAsync(cancellationToken);
        LogDeleted(logger, deleted, options.Value.ResultRetention);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution expiry deleted {Count} executions older than {Retention}")]
    private static partial void LogDeleted(ILogger logger, int count, TimeSpan retention);
}
