using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Client;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle logout`: revokes the stored API token on the server (best effort) and forgets it here.</summary>
internal sealed class LogoutCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("logout", "Revoke the stored API token on the server and forget it here", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var server = CliContext.Display(context.Server);
        if (config.Token is null || !CliContext.SameServer(config.Server, context.Server))
        {
            Report(context, new LogoutResult(server, WasLoggedIn: false, RevokedOnServer: false), $"Not logged in to {server}; nothing to do.");
            return ExitCode.Ok;
        }

        var revoked = false;
        if (config.TokenId is { } id)
        {
            try
            {
                await context.Anonymous().WithToken(config.Token).RevokeTokenAsync(id, cancellationToken);
                revoked = true;
            }
            catch (PoddleApiException ex) when (ex.Status is 401 or 404)
            {
                // Already revoked or expired: the server has nothing left to forget.
                revoked = true;
            }
            catch (Exception ex) when (ex is PoddleApiException or PoddleConnectionException)
            {
                context.Output.Warning(
                    $"Could not revoke the token on the server ({ex.Message}). It is forgotten here; revoke it later with `poddle tokens revoke {id}`.");
            }
        }

        context.Store.Save(config with { Token = null, TokenId = null, TokenName = null, Username = null });
        Report(context, new LogoutResult(server, WasLoggedIn: true, RevokedOnServer: revoked), $"Logged out of {server}.");
        return ExitCode.Ok;
    }

    private static void Report(CliContext context, LogoutResult result, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(result, CliJsonContext.Default.LogoutResult);
        }
        else
        {
            context.Output.Message(message);
        }
    }
}
