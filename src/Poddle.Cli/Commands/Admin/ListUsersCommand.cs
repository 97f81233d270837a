using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Admin;

/// <summary>`poddle admin users ls`: every account.</summary>
internal sealed class ListUsersCommand : CliCommand
{
    public ListUsersCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "Every account: role, tier, email verified, two-factor, disabled", environment, globals)
    {
        Aliases.Add("list");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var users = await AdminUsersCommand.AllAsync(context.Authenticated(), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new UserListResponse(users, users.Count), PoddleJsonContext.Default.UserListResponse);
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("USERNAME", "EMAIL", "ROLE", "TIER", "VERIFIED", "2FA", ColumnHeaders.Status, ColumnHeaders.Created);
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
    }
}
