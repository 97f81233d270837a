using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// Accounts' part of maintenance (<see cref="MaintenanceJob"/>): ended sessions (with their refresh tokens), expired
/// refresh tokens, expired account tokens (reset and verification codes, sign-in challenges) and login failures older
/// than the rate-limit window. Deleting is idempotent.
/// </summary>
public sealed partial class AccountsCleanup(PoddleDbContext db, IOptions<AuthOptions> auth, ILogger<AccountsCleanup> logger) : IMaintenanceTask
{
    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
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
        LogPurged(logger, sessions, refreshTokens, loginFailures);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance purged {Sessions} sessions, {RefreshTokens} refresh and account tokens, {LoginFailures} login failures")]
    private static partial void LogPurged(ILogger logger, int sessions, int refreshTokens, int loginFailures);
}
