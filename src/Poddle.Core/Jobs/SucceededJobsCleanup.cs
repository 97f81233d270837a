using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Jobs;

/// <summary>The queue's part of maintenance: succeeded jobs past <see cref="JobsOptions.SucceededRetention"/> go (dead ones stay for people to see).</summary>
public sealed partial class SucceededJobsCleanup(PoddleDbContext db, IOptions<JobsOptions> jobs, ILogger<SucceededJobsCleanup> logger) : IMaintenanceTask
{
    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var succeededBefore = now - jobs.Value.SucceededRetention;
        var succeededJobs = await db.Set<Job>()
            .Where(j => j.State == JobState.Succeeded && j.CompletedAt < succeededBefore)
            .ExecuteDeleteAsync(cancellationToken);
        LogPurged(logger, succeededJobs);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance purged {Jobs} succeeded jobs")]
    private static partial void LogPurged(ILogger logger, int jobs);
}
