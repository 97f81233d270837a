using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// Issues, finds and spends <see cref="AccountToken"/>s. Only the SHA-256 of a token is stored; the secret exists in
/// the caller's hands (a mail being written, a sign-in response) and nowhere else.
/// </summary>
public sealed class AccountTokenStore(PoddleDbContext db, TimeProvider clock)
{
    /// <summary>Adds a new token to the caller's unit of work and returns its secret (saved with the caller's SaveChanges).</summary>
    public (string Secret, AccountToken Token) Issue(Guid userId, string purpose, TimeSpan lifetime)
    {
        var now = clock.GetStoredUtcNow();
        var secret = SecretTokens.NewRefreshToken();
        var token = new AccountToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Purpose = purpose,
            TokenHash = SecretTokens.Hash(secret),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        db.Set<AccountToken>().Add(token);
        return (secret, token);
    }

    /// <summary>The unspent, unexpired token of <paramref name="purpose"/> with this secret, or null.</summary>
    public async Task<AccountToken?> FindUsableAsync(string? secret, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200)
        {
            return null;
        }

        var now = clock.GetStoredUtcNow();
        var hash = SecretTokens.Hash(secret.Trim());
        return await db.Set<AccountToken>().AsNoTracking()
            .FirstOrDefaultAsync(t => t.TokenHash == hash && t.Purpose == purpose && t.UsedAt == null && t.ExpiresAt > now, cancellationToken);
    }

    /// <summary>Spends the token; false when it was spent already (a concurrent use won), so only one use ever succeeds.</summary>
    public async Task<bool> SpendAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        return await db.Set<AccountToken>()
            .Where(t => t.Id == tokenId && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken) == 1;
    }

    /// <summary>Makes every unspent token of the user with one of these purposes void (after a password or email change).</summary>
    public async Task VoidAsync(Guid userId, IReadOnlyCollection<string> purposes, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        await db.Set<AccountToken>()
            .Where(t => t.UserId == userId && purposes.Contains(t.Purpose) && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
    }
}
