using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Tokens;

/// <summary>`poddle tokens revoke ID|NAME`.</summary>
internal sealed class RevokeTokenCommand : CliCommand
{
    private readonly Argument<string> _token = new("token") { Description = "The token's id, or its name when only one token has it" };

    public RevokeTokenCommand(CliEnvironment environment, GlobalOptions globals)
        : base("revoke", "Revoke an API token", environment, globals)
    {
        Arguments.Add(_token);
        Aliases.Add("rm");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var target = await FindAsync(client, parse.GetRequiredValue(_token), cancellationToken);
        await client.RevokeTokenAsync(target.Id, cancellationToken);
        context.Output.Result(target, PoddleJsonContext.Default.ApiTokenResponse, $"Revoked token '{target.Name}' ({target.Id}).");

        if (CliContext.SameServer(context.Config.Server, context.Server) && context.Config.TokenId == target.Id)
        {
            context.Output.Warning("That was this CLI's own token; run `poddle login` to sign in again.");
        }

        return ExitCode.Ok;
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
}
