using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>`poddle tokens create|ls|revoke`: API tokens for scripts and CI.</summary>
internal static class TokenCommands
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var tokens = new Command("tokens", "Create, list and revoke API tokens (for scripts and CI)");
        tokens.Subcommands.Add(CreateToken(environment, globals));
        tokens.Subcommands.Add(List(environment, globals));
        tokens.Subcommands.Add(Revoke(environment, globals));
        return tokens;
    }

    private static Command CreateToken(CliEnvironment environment, GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. 'ci'" };
        var expires = new Option<int?>("--expires-in-days") { Description = "Days until the token stops working (default: never)" };
        var command = new Command("create", "Create an API token; it is shown once") { name, expires };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var created = await context.Authenticated().CreateTokenAsync(
                new CreateApiTokenRequest(parse.GetRequiredValue(name), parse.GetValue(expires)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(created, PoddleJsonContext.Default.CreatedApiTokenResponse);
                return ExitCode.Ok;
            }

            context.Output.Success($"Created token '{created.Name}' ({created.Id}), {Expiry(created.ExpiresAt)}.");
            context.Output.Message("Copy it now; it is not shown again:");

            // The token alone on its line, so it can be selected or cut out of the output.
            context.Output.Out.WriteLine(created.Token);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command List(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("ls", "List your active API tokens (never their secrets)");
        command.Aliases.Add("list");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
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
            var table = CliOutput.Table("NAME", "ID", "PREFIX", "CREATED", "LAST USED", "EXPIRES");
            foreach (var token in tokens)
            {
                table.AddRow(
                    new Text(token.Name + (token.Id == current ? " (this CLI)" : string.Empty)),
                    new Text(token.Id.ToString()),
                    new Text(token.Prefix),
                    new Text(Date(token.CreatedAt)),
                    new Text(token.LastUsedAt is { } used ? Date(used) : "never"),
                    new Text(token.ExpiresAt is { } expiresAt ? Date(expiresAt) : "never"));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Revoke(CliEnvironment environment, GlobalOptions globals)
    {
        var token = new Argument<string>("token") { Description = "The token's id, or its name when only one token has it" };
        var command = new Command("revoke", "Revoke an API token") { token };
        command.Aliases.Add("rm");
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var target = await FindAsync(client, parse.GetRequiredValue(token), cancellationToken);
            await client.RevokeTokenAsync(target.Id, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(target, PoddleJsonContext.Default.ApiTokenResponse);
            }
            else
            {
                context.Output.Success($"Revoked token '{target.Name}' ({target.Id}).");
            }

            if (CliContext.SameServer(context.Config.Server, context.Server) && context.Config.TokenId == target.Id)
            {
                context.Output.Warning("That was this CLI's own token; run `poddle login` to sign in again.");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    private static async Task<ApiTokenResponse> FindAsync(PoddleClient client, string idOrName, CancellationToken cancellationToken)
    {
        var tokens = await client.ListTokensAsync(cancellationToken);
        if (Guid.TryParse(idOrName, out var id))
        {
            return tokens.FirstOrDefault(t => t.Id == id)
                ?? throw new CliException($"You have no active API token with id {id}. See yours with `poddle tokens ls`.");
        }

        var named = tokens.Where(t => string.Equals(t.Name, idOrName, StringComparison.Ordinal)).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw new CliException($"You have no active API token named '{idOrName}'. See yours with `poddle tokens ls`."),
            _ => throw new CliException($"{named.Count} tokens are named '{idOrName}'; revoke one by its id (see `poddle tokens ls`)."),
        };
    }

    private static string Date(DateTimeOffset value) => value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Expiry(DateTimeOffset? expiresAt) => expiresAt is { } at ? "expires " + Date(at) : "does not expire";
}
