using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Persistence;

namespace Poddle.Core.Jobs;

/// <summary>
/// The built-in recurring clean-up: ended sessions (with their refresh tokens), expired refresh tokens, expired
/// account tokens (reset and verification codes, sign-in challenges), login failures older than the rate-limit window,
/// and succeeded jobs past their retention. Deleting is idempotent,
/// so running twice is harmless.
/// </summary>
public sealed partial class MaintenanceJob(
    PoddleDbContext db,
    IOptions<AuthOptions> auth,
    IOptions<JobsOptions> jobs,
    TimeProvider clock,
    ILogger<MaintenanceJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.Maintenance;
    public const string ScheduleName = "maintenance";

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();

        // A revoked session already rejects its access tokens; keep it one access-token lifetime so the row
        // outlives every token that names it, then it is only history.
        var revokedBefore = now - auth.Value.AccessTokenLifetime;
        var sessions = await db.Sessions
            .Where(s => s.ExpiresAt < now || (s.RevokedAt != null && s.RevokedAt < revokedBefore))
            .ExecuteDeleteAsync(cancellationToken);
        var refreshTokens = await db.RefreshTokens.Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        refreshTokens += await db.Set<AccountToken>().Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        var failedBefore = now - auth.Value.FailedLoginWindow;
        var loginFailures = await db.LoginFailures.Where(f => f.OccurredAt < failedBefore).ExecuteDeleteAsync(cancellationToken);
        var succeededBefore = now - jobs.Value.SucceededRetention;
        var succeededJobs = await db.Set<Job>()
            .Where(j => j.State == JobState.Succeeded && j.CompletedAt < succeededBefore)
            .ExecuteDeleteAsync(cancellationToken);
        LogPurged(logger, sessions, refreshTokens, loginFailures, succeededJobs);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance purged {Sessions} sessions, {RefreshTokens} refresh and account tokens, {LoginFailures} login failures, {Jobs} succeeded jobs")]
    private static partial void LogPurged(ILogger logger, int sessions, int refreshTokens, int loginFailures, int jobs);
}
