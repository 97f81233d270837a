using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>
/// `poddle login`: signs in (with a two-factor code when the account needs one), creates an API token for this
/// machine, stores it with the server URL and ends the password session.
/// </summary>
internal sealed class LoginCommand : CliCommand
{
    private readonly Option<string?> _username = new("--username", "-u") { Description = "User name or email (prompted for when omitted in a terminal)" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the password from the first line of standard input (never pass it as an argument)" };
    private readonly Option<string?> _code = new("--code") { Description = "The code from your authenticator app, when the account has two-factor sign-in (prompted for in a terminal)" };
    private readonly Option<string?> _recoveryCode = new("--recovery-code") { Description = "One of your two-factor recovery codes, in place of --code (each works once)" };

    public LoginCommand(CliEnvironment environment, GlobalOptions globals)
        : base("login", "Sign in and store an API token for this machine in the config directory", environment, globals)
    {
        Options.Add(_username);
        Options.Add(_passwordStdin);
        Options.Add(_code);
        Options.Add(_recoveryCode);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var login = parse.GetValue(_username) ?? Prompts.Ask(context, "Username or email:", "--username");
        var password = Prompts.ReadPassword(context, parse.GetValue(_passwordStdin), confirm: false);
        var anonymous = context.Anonymous();
        TokenResponse tokens;
        try
        {
            var signIn = await anonymous.SignInAsync(new LoginRequest(login, password), cancellationToken);
            tokens = signIn.Tokens ?? await CompleteTwoFactorAsync(context, anonymous, signIn.Challenge!, parse.GetValue(_code), parse.GetValue(_recoveryCode), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Status == 401 && ex.Code == "invalid-credentials")
        {
            throw new CliException($"Wrong user name, email or password for {CliContext.Display(context.Server)}. Check them, or create an account with `poddle register`.");
        }

        var session = anonymous.WithToken(tokens.AccessToken);
        var previous = context.Config;
        var tokenName = $"cli@{context.Environment.MachineName}";
        var created = await session.CreateTokenAsync(new CreateApiTokenRequest(tokenName), cancellationToken);
        context.Store.Save(new CliConfig(CliContext.Display(context.Server), created.Token, created.Id, created.Name, tokens.User.Username));

        // The API token is what the CLI keeps; the password session that made it is no longer needed. A token an
        // earlier login stored for this server is replaced, so re-running login does not pile tokens up.
        await BestEffortAsync(() => session.LogoutAsync(cancellationToken));
        if (previous.TokenId is { } oldId && previous.Token is not null && CliContext.SameServer(previous.Server, context.Server) && oldId != created.Id)
        {
            await BestEffortAsync(() => anonymous.WithToken(previous.Token).RevokeTokenAsync(oldId, cancellationToken));
        }

        if (context.Output.Json)
        {
            context.Output.WriteJson(
                new LoginResult(CliContext.Display(context.Server), tokens.User.Username, created.Id, created.Name, context.Store.FilePath),
                CliJsonContext.Default.LoginResult);
        }
        else
        {
            context.Output.Success($"Logged in to {CliContext.Display(context.Server)} as {tokens.User.Username}.");
            context.Output.Message($"API token '{created.Name}' stored in {context.Store.FilePath}.");
        }

        return ExitCode.Ok;
    }

    private static async Task<TokenResponse> CompleteTwoFactorAsync(
        CliContext context, PoddleClient anonymous, TwoFactorChallengeResponse challenge, string? code, string? recoveryCode, CancellationToken cancellationToken)
    {
        var (totp, recovery) = Prompts.ReadTwoFactorCode(context, code, recoveryCode, "This account has two-factor sign-in");
        try
        {
            return await anonymous.CompleteTwoFactorSignInAsync(new TwoFactorLoginRequest(challenge.Challenge, totp, recovery), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-two-factor-code")
        {
            throw new CliException(recovery is null
                ? "The two-factor code is wrong, expired or used already. Run `poddle login` again with the current code from your authenticator app."
                : "The recovery code is wrong or used already. Run `poddle login` again with another one.");
        }
        catch (PoddleApiException ex) when (ex.Code == "invalid-two-factor-challenge")
        {
            throw new CliException("The sign-in took too long (the two-factor challenge expired). Run `poddle login` again.");
        }
    }

    private static async Task BestEffortAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is PoddleApiException or PoddleConnectionException)
        {
            // Housekeeping only; the command already did what was asked.
        }
    }
}
