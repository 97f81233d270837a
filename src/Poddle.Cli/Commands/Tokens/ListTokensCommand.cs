using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Tokens;

/// <summary>`poddle tokens ls`: active API tokens, never their secrets; the CLI's own is marked.</summary>
internal sealed class ListTokensCommand : CliCommand
{
    public ListTokensCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "List your active API tokens (never their secrets)", environment, globals)
    {
        Aliases.Add("list");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var tokens = await context.Authenticated().ListTokensAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(tokens, PoddleJsonContext.Default.IReadOnlyListApiTokenResponse);
            return ExitCode.Ok;
        }

        if (tokens.Count == 0)
        {
            context.Output.Message("No API tokens. Create one with `poddle tokens create <name>`.");
            return ExitCode.Ok;
        }

        var current = CliContext.SameServer(context.Config.Server, context.Server) ? context.Config.TokenId : null;
        var table = CliOutput.Table(ColumnHeaders.Name, ColumnHeaders.Id, "PREFIX", ColumnHeaders.Created, "LAST USED", "EXPIRES");
        foreach (var token in tokens)
        {
            table.AddRow(
                new Text(token.Name + (token.Id == current ? " (this CLI)" : string.Empty)),
                new Text(token.Id.ToString()),
                new Text(token.Prefix),
                new Text(CliOutput.Minute(token.CreatedAt)),
                new Text(token.LastUsedAt is { } used ? CliOutput.Minute(used) : "never"),
                new Text(token.ExpiresAt is { } expiresAt ? CliOutput.Minute(expiresAt) : "never"));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
