using System.CommandLine;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle whoami`: the signed-in user.</summary>
internal sealed class WhoAmICommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("whoami", "Show the signed-in user", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var user = await context.Authenticated().GetMeAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(user, PoddleJsonContext.Default.UserResponse);
            return ExitCode.Ok;
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow(new Text("User"), new Text(user.Username));
        grid.AddRow(new Text("Email"), new Text(user.Email));
        if (user.DisplayName is { } display)
        {
            grid.AddRow(new Text("Name"), new Text(display));
        }

        grid.AddRow(new Text("Email verified"), new Text(user.EmailVerified ? "yes" : "no"));
        grid.AddRow(new Text("Two-factor"), new Text(user.TwoFactorEnabled ? "on" : "off"));
        grid.AddRow(new Text("Role"), new Text(user.Role));
        grid.AddRow(new Text("Tier"), new Text(user.Tier));
        grid.AddRow(new Text("Server"), new Text(CliContext.Display(context.Server)));
        context.Output.Out.Write(grid);
        return ExitCode.Ok;
    }
}
