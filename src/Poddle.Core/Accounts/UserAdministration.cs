using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

public sealed record UserPage(IReadOnlyList<User> Users, int Total);

/// <summary>What admins do to accounts: list them and change a user's role or tier.</summary>
public sealed class UserAdministration(PoddleDbContext db, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    public async Task<Result<UserPage>> ListAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (offset < 0)
        {
            errors.Add("offset", "Must be 0 or more.");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"Must be between 1 and {MaxPageSize}.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var total = await db.Users.CountAsync(cancellationToken);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Username).Skip(offset).Take(limit).ToListAsync(cancellationToken);
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

        if (role is { } newRole && newRole != UserRole.Admin && user.Role == UserRole.Admin
            && await db.Users.CountAsync(u => u.Role == UserRole.Admin, cancellationToken) == 1)
        {
            return Error.Conflict("last-admin", "This is the only admin; make another user admin first.", "role");
        }

        user.Role = role ?? user.Role;
        user.Tier = tier ?? user.Tier;
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }
}
