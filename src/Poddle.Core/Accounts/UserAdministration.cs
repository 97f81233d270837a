using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

public sealed record UserPage(IReadOnlyList<User> Users, int Total);

/// <summary>What admins do to accounts: list them, change a user's role or tier, disable and enable them, and set a new password.</summary>
public sealed partial class UserAdministration(PoddleDbContext db, AccountService accounts, TimeProvider clock, ILogger<UserAdministration> logger)
{
    public const int MaxPageSize = 200;

    /// <summary>Longest search text.</summary>
    public const int MaxSearchLength = 100;

    /// <summary>
    /// A page of accounts by username; with <paramref name="search"/>, only those whose username, email or display name
    /// contains it (any case).
    /// </summary>
    public async Task<Result<UserPage>> ListAsync(int offset, int limit, CancellationToken cancellationToken, string? search = null)
    {
        var errors = new FieldErrors();
        if (offset < 0)
        {
            errors.Add(FieldPath.Of(nameof(offset)), "Must be 0 or more.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add(FieldPath.Of(nameof(limit)), $"Must be between 1 and {MaxPageSize}.");
        }

        var term = search?.Trim().ToLowerInvariant();
        if (term?.Length > MaxSearchLength)
        {
            errors.Add(FieldPath.Of(nameof(search)), $"At most {MaxSearchLength} characters.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var matching = db.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(term))
        {
            // Lower-cased on both sides: SQLite's and PostgreSQL's LIKE disagree on case, lower() does not. The
            // StringComparison overload CA1862 asks for has no SQL translation on either provider.
#pragma warning disable CA1862
            matching = matching.Where(u => u.Username.ToLower().Contains(term) || u.Email.ToLower().Contains(term)
                || (u.DisplayName != null && u.DisplayName.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var total = await matching.CountAsync(cancellationToken);
        var users = await matching.OrderBy(u => u.Username).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new UserPage(users, total);
    }

    /// <summary>Changes role and/or tier. The last admin cannot be demoted, so the platform always keeps one.</summary>
    public async Task<Result<User>> ChangeAccessAsync(Guid userId, UserRole? role, UserTier? tier, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (role is { } newRole && newRole != UserRole.Admin && user.Role == UserRole.Admin && user.DisabledAt is null
            && await db.Users.CountAsync(u => u.Role == UserRole.Admin && u.DisabledAt == null, cancellationToken) == 1)
        {
            return Error.Conflict(AccountErrorCodes.LastAdmin, "This is the only admin; make another user admin first.", FieldPath.Of(nameof(role)));
        }

        user.Role = role ?? user.Role;
        user.Tier = tier ?? user.Tier;
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>
    /// Disables an account: every session ends at once (so its access and refresh tokens fail on their next use), its
    /// API tokens are refused while it stays disabled, and sign-in answers 403 account-disabled. An admin cannot disable
    /// their own account (so the platform always keeps an admin who can enable others).
    /// </summary>
    public async Task<Result<User>> DisableAsync(Guid adminId, Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (user.Id == adminId)
        {
            return Error.Conflict(AccountErrorCodes.CannotDisableSelf, "You cannot disable your own account; ask another admin.");
        }

        if (user.DisabledAt is not null)
        {
            return user;
        }

        var now = clock.GetStoredUtcNow();
        user.DisabledAt = now;
        user.UpdatedAt = now;
        await db.Sessions
            .Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, "disabled"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        LogDisabled(userId, adminId);
        return user;
    }

    /// <summary>Enables a disabled account: it can sign in again, and its API tokens work again (its sessions stay ended).</summary>
    public async Task<Result<User>> EnableAsync(Guid adminId, Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (user.DisabledAt is not null)
        {
            user.DisabledAt = null;
            user.UpdatedAt = clock.GetStoredUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            LogEnabled(userId, adminId);
        }

        return user;
    }

    /// <summary>
    /// Sets a new password for a user who cannot reset it themselves: <paramref name="password"/>, or a generated one that
    /// is returned (once) for the admin to pass on. Every session of the user ends; API tokens are untouched.
    /// </summary>
    public async Task<Result<string?>> ResetPasswordAsync(Guid adminId, Guid userId, string? password, CancellationToken cancellationToken)
    {
        if (password is not null)
        {
            var errors = new FieldErrors();
            AccountService.ValidatePassword(password, FieldPath.Of(nameof(password)), errors);
            if (!errors.IsEmpty)
            {
                return errors.ToError();
            }
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        var generated = password is null ? SecretTokens.NewPassword() : null;
        await accounts.SetPasswordAsync(user, password ?? generated!, "password-reset-by-admin", keepSessionId: null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        LogPasswordReset(userId, adminId);
        return generated;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} disabled by admin {AdminId}; their sessions ended")]
    private partial void LogDisabled(Guid userId, Guid adminId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} enabled by admin {AdminId}")]
    private partial void LogEnabled(Guid userId, Guid adminId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password of user {UserId} reset by admin {AdminId}; their sessions ended")]
    private partial void LogPasswordReset(Guid userId, Guid adminId);
}
