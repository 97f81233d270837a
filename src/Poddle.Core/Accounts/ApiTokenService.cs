using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

public sealed record CreatedApiToken(ApiToken Token, string Secret);

/// <summary>The identity behind a valid API token.</summary>
public sealed record ApiTokenIdentity(User User, Guid TokenId);

/// <summary>API tokens for the CLI and automation: created (secret shown once), listed, revoked, validated.</summary>
public sealed class ApiTokenService(PoddleDbContext db, TimeProvider clock)
{
    public const int MaxTokensPerUser = 50;
    public const int MaxLifetimeDays = 3650;

    // LastUsedAt is advisory; writing it on every request would turn each read into a write.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<Result<CreatedApiToken>> CreateAsync(Guid userId, string? name, int? expiresInDays, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 64)
        {
            errors.Add(FieldPath.Of(nameof(name)), "Give a name of 1-64 characters, e.g. the machine or script that uses the token.");
        }

        if (expiresInDays is < 1 or > MaxLifetimeDays)
        {
            errors.Add(FieldPath.Of(nameof(expiresInDays)), $"Must be between 1 and {MaxLifetimeDays}, or left out for a token that does not expire.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var active = await db.ApiTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null, cancellationToken);
        if (active >= MaxTokensPerUser)
        {
            return Error.Conflict(AccountErrorCodes.TooManyTokens, $"At most {MaxTokensPerUser} active API tokens per user; revoke one first.");
        }

        var now = clock.GetStoredUtcNow();
        var secret = SecretTokens.NewApiToken();
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Name = trimmed!,
            TokenHash = SecretTokens.Hash(secret),
            Prefix = secret[..10],
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiToken(token, secret);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .OrderBy(t => t.CreatedAt)
            .ToListAsync(cancellationToken);

    public async Task<Result<bool>> RevokeAsync(Guid userId, Guid tokenId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var revoked = await db.ApiTokens
            .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
        return revoked == 0 ? Error.NotFound("API token") : true;
    }

    /// <summary>Returns who the token belongs to, or null when it is unknown, revoked or expired, or its user is disabled.</summary>
    public async Task<ApiTokenIdentity?> ValidateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(SecretTokens.ApiTokenPrefix, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }

        var now = clock.GetStoredUtcNow();
        var hash = SecretTokens.Hash(secret);
        var match = await db.ApiTokens
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { Token = t, User = u })
            .Where(m => m.User.DisabledAt == null)
            .AsNoTracking()
            .FirstOrDefaultAsync(cancellationToken);
        if (match is null)
        {
            return null;
        }

        if (match.Token.LastUsedAt is null || now - match.Token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == match.Token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenIdentity(match.User, match.Token.Id);
    }
}
