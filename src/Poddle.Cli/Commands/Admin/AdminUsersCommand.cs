using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Admin;

/// <summary>
/// `poddle admin users ls|set-role|set-tier|disable|enable|reset-password` (admin role), and how they find accounts.
/// A user is named by username, email or id (<see cref="UserCommand"/>).
/// </summary>
internal sealed class AdminUsersCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "users",
    "List accounts, change a role or tier, disable or enable an account, set a new password",
    new ListUsersCommand(environment, globals),
    new SetRoleCommand(environment, globals),
    new SetTierCommand(environment, globals),
    new DisableUserCommand(environment, globals),
    new EnableUserCommand(environment, globals),
    new ResetPasswordCommand(environment, globals))
{
    /// <summary>Every account, page by page.</summary>
    internal static async Task<IReadOnlyList<UserResponse>> AllAsync(PoddleClient client, CancellationToken cancellationToken)
    {
        const int PageSize = 200;
        var users = new List<UserResponse>();
        while (true)
        {
            var page = await client.ListUsersAsync(users.Count, PageSize, cancellationToken);
            users.AddRange(page.Users);
            if (page.Users.Count < PageSize || users.Count >= page.Total)
            {
                return users;
            }
        }
    }

    /// <summary>The account with this id, else with this username or email (ignoring case).</summary>
    internal static async Task<UserResponse> FindAsync(PoddleClient client, string nameOrId, CancellationToken cancellationToken)
    {
        var users = await AllAsync(client, cancellationToken);
        var match = Guid.TryParse(nameOrId, out var id)
            ? users.FirstOrDefault(u => u.Id == id)
            : users.FirstOrDefault(u => string.Equals(u.Username, nameOrId, StringComparison.OrdinalIgnoreCase)
                || string.Equals(u.Email, nameOrId, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new CliException($"No account '{nameOrId}' on this server. See them with `poddle admin users ls`.");
    }
}
