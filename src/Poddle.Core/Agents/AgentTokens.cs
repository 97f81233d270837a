using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Agents;

/// <summary>
/// Issues the per-pod agent tokens: "pagent_" + 256 random bits (base64url), stored only as a SHA-256 hash on the
/// replica's <see cref="ReplicaAgent"/> row. Issuing replaces the row's token, so the previous pod's token stops working
/// at once, and forgets the previous pod's heartbeats. Saved in its own unit of work before the pod starts, so the
/// pod's first heartbeat already finds its token. Tokens are never logged.
/// </summary>
public sealed class AgentTokens(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Marks agent tokens, so they are recognisable (and routed to the agent scheme only).</summary>
    public const string Prefix = "pagent_";

    /// <summary>The environment variable that carries the token into the pod.</summary>
    public const string TokenVariable = "PODDLE_AGENT_TOKEN";

    /// <summary>The environment variable that carries the server's URL into the pod.</summary>
    public const string ServerVariable = "PODDLE_SERVER";

    /// <summary>True when <paramref name="token"/> looks like an agent token (the prefix; no lookup).</summary>
    public static bool LooksLikeAgentToken(string? token) => token is not null && token.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A new token for the pod about to start for <paramref name="replicaId"/> (whose row must exist); returns it in clear, once.</summary>
    public async Task<string> IssueAsync(Guid replicaId, CancellationToken cancellationToken)
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = SecretTokens.Hash(token);
        var now = clock.GetStoredUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var row = await db.Set<ReplicaAgent>().FirstOrDefaultAsync(a => a.ReplicaId == replicaId, cancellationToken);
        if (row is null)
        {
            db.Set<ReplicaAgent>().Add(new ReplicaAgent { ReplicaId = replicaId, TokenHash = hash, IssuedAt = now });
        }
        else
        {
            row.TokenHash = hash;
            row.IssuedAt = now;
            row.LastHeartbeatAt = null;
            row.ReportStatus = null;
            row.ReportJson = null;
            row.AgentVersion = null;
            row.Heartbeats = 0;
            row.LostAt = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        return token;
    }
}
