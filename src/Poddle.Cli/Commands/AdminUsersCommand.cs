using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>
/// `poddle admin users ls|set-role|set-tier|disable|enable|reset-password` (admin role). A user is named by username,
/// email or id.
/// </summary>
internal static class AdminUsersCommand
{
    private static readonly string[] Roles = ["member", "admin", "teacher", "student"];
    private static readonly string[] Tiers = ["free", "pro"];

    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var users = new Command("users", "List accounts, change a role or tier, disable or enable an account, set a new password");
        users.Subcommands.Add(List(environment, globals));
        users.Subcommands.Add(SetRole(environment, globals));
        users.Subcommands.Add(SetTier(environment, globals));
        users.Subcommands.Add(Disable(environment, globals));
        users.Subcommands.Add(Enable(environment, globals));
        users.Subcommands.Add(ResetPassword(environment, globals));
        var admin = new Command("admin", "Administer the server (admin role)");
        admin.Subcommands.Add(users);
        return admin;
    }

    private static Command List(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("ls", "Every account: role, tier, email verified, two-factor, disabled");
        command.Aliases.Add("list");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
        {
            var users = await AllAsync(context.Authenticated(), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(new UserListResponse(users, users.Count), PoddleJsonContext.Default.UserListResponse);
                return ExitCode.Ok;
            }

            var table = CliOutput.Table("USERNAME", "EMAIL", "ROLE", "TIER", "VERIFIED", "2FA", "STATUS", "CREATED");
            foreach (var user in users)
            {
                table.AddRow(
                    new Text(user.Username),
                    new Text(user.Email),
                    new Text(user.Role),
                    new Text(user.Tier),
                    new Text(user.EmailVerified ? "yes" : "no"),
                    new Text(user.TwoFactorEnabled ? "on" : "off"),
                    new Text(user.Disabled ? "disabled" : "active"),
                    new Text(user.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command SetRole(CliEnvironment environment, GlobalOptions globals)
    {
        var user = UserArgument();
        var role = new Argument<string>("role") { Description = "member, admin, teacher or student" };
        role.AcceptOnlyFromAmong(Roles);
        var command = new Command("set-role", "Change a user's role") { user, role };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(user), cancellationToken);
            var name = Enum.Parse<UserRoleName>(parse.GetRequiredValue(role), ignoreCase: true);
            var updated = await client.UpdateUserAccessAsync(target.Id, new UpdateUserAccessRequest(Role: name), cancellationToken);
            return Report(context, updated, $"{updated.Username} is now {updated.Role}.");
        });
        return command;
    }

    private static Command SetTier(CliEnvironment environment, GlobalOptions globals)
    {
        var user = UserArgument();
        var tier = new Argument<string>("tier") { Description = "free or pro" };
        tier.AcceptOnlyFromAmong(Tiers);
        var command = new Command("set-tier", "Change a user's tier (its limits on deployments)") { user, tier };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(user), cancellationToken);
            var name = Enum.Parse<UserTierName>(parse.GetRequiredValue(tier), ignoreCase: true);
            var updated = await client.UpdateUserAccessAsync(target.Id, new UpdateUserAccessRequest(Tier: name), cancellationToken);
            return Report(context, updated, $"{updated.Username} is now on the {updated.Tier} tier.");
        });
        return command;
    }

    private static Command Disable(CliEnvironment environment, GlobalOptions globals)
    {
        var user = UserArgument();
        var command = new Command("disable", "Disable an account: its sessions end and its tokens stop working at once; sign-in is refused") { user };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(user), cancellationToken);
            var updated = await client.DisableUserAsync(target.Id, cancellationToken);
            return Report(context, updated, $"Disabled {updated.Username}: signed out everywhere, tokens refused. Undo with `poddle admin users enable {updated.Username}`.");
        });
        return command;
    }

    private static Command Enable(CliEnvironment environment, GlobalOptions globals)
    {
        var user = UserArgument();
        var command = new Command("enable", "Enable a disabled account again") { user };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(user), cancellationToken);
            var updated = await client.EnableUserAsync(target.Id, cancellationToken);
            return Report(context, updated, $"Enabled {updated.Username}: they can sign in again.");
        });
        return command;
    }

    private static Command ResetPassword(CliEnvironment environment, GlobalOptions globals)
    {
        var user = UserArgument();
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new password from standard input (default: generate one and show it once)" };
        var command = new Command("reset-password", "Set a user's password (generated unless given); every session of theirs ends") { user, passwordStdin };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(user), cancellationToken);
            var password = parse.GetValue(passwordStdin) ? Prompts.ReadPassword(context, fromStdin: true, confirm: false) : null;
            var result = await client.ResetUserPasswordAsync(target.Id, new AdminPasswordResetRequest(password), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(result, PoddleJsonContext.Default.AdminPasswordResetResponse);
                return ExitCode.Ok;
            }

            context.Output.Success($"Set a new password for {target.Username}; they were signed out everywhere.");
            if (result.Password is { } generated)
            {
                context.Output.Message("Their new password (shown once; pass it on safely):");

                // Alone on its line, so it can be selected or cut out of the output.
                context.Output.Out.WriteLine(generated);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static Argument<string> UserArgument() => new("user") { Description = "The user's username, email or id" };

    private static ExitCode Report(CliContext context, UserResponse user, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(user, PoddleJsonContext.Default.UserResponse);
        }
        else
        {
            context.Output.Success(message);
        }

        return ExitCode.Ok;
    }

    private static async Task<IReadOnlyList<UserResponse>> AllAsync(PoddleClient client, CancellationToken cancellationToken)
    {
        const int pageSize = 200;
        var users = new List<UserResponse>();
        while (true)
        {
            var page = await client.ListUsersAsync(users.Count, pageSize, cancellationToken);
            users.AddRange(page.Users);
            if (page.Users.Count < pageSize || users.Count >= page.Total)
            {
                return users;
            }
        }
    }

    private static async Task<UserResponse> FindAsync(PoddleClient client, string nameOrId, CancellationToken cancellationToken)
    {
        var users = await AllAsync(client, cancellationToken);
        var match = Guid.TryParse(nameOrId, out var id)
            ? users.FirstOrDefault(u => u.Id == id)
            : users.FirstOrDefault(u => string.Equals(u.Username, nameOrId, StringComparison.OrdinalIgnoreCase)
                || string.Equals(u.Email, nameOrId, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new CliException($"No account '{nameOrId}' on this server. See them with `poddle admin users ls`.");
    }
}
