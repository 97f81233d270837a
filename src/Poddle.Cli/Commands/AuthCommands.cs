using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>--json result of `poddle login` (the token itself stays in the config file).</summary>
public sealed record LoginResult(string Server, string Username, Guid TokenId, string TokenName, string ConfigFile);

/// <summary>--json result of `poddle logout`.</summary>
public sealed record LogoutResult(string Server, bool WasLoggedIn, bool RevokedOnServer);

/// <summary>`poddle register`, `login`, `logout`, `whoami`.</summary>
internal static class AuthCommands
{
    public static Command Register(CliEnvironment environment, GlobalOptions globals)
    {
        var username = new Option<string?>("--username", "-u") { Description = "Your user name (lowercase letters, digits, '-')" };
        var email = new Option<string?>("--email") { Description = "Your email address" };
        var displayName = new Option<string?>("--display-name") { Description = "The name shown to people (optional)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var command = new Command("register", "Create an account on the server") { username, email, displayName, passwordStdin };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var name = parse.GetValue(username) ?? Prompts.Ask(context, "Username:", "--username");
            var address = parse.GetValue(email) ?? Prompts.Ask(context, "Email:", "--email");
            var password = Prompts.ReadPassword(context, parse.GetValue(passwordStdin), confirm: true);
            var user = await context.Anonymous().RegisterAsync(new RegisterRequest(address, name, password, parse.GetValue(displayName)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(user, PoddleJsonContext.Default.UserResponse);
            }
            else
            {
                context.Output.Success($"Registered {user.Username} ({user.Email}) on {CliContext.Display(context.Server)}.");
                context.Output.Message($"Next: poddle login --username {user.Username}{ServerHint(context)}");
                if (!user.EmailVerified)
                {
                    context.Output.Message($"If this server sends mail, a code is on its way to {user.Email}: confirm the address with `poddle verify-email <code>` (deploying may need it).");
                }
            }

            return ExitCode.Ok;
        });
        return command;
    }

    public static Command Login(CliEnvironment environment, GlobalOptions globals)
    {
        var username = new Option<string?>("--username", "-u") { Description = "User name or email (prompted for when omitted in a terminal)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (never pass it as an argument)" };
        var code = new Option<string?>("--code") { Description = "The code from your authenticator app, when the account has two-factor sign-in (prompted for in a terminal)" };
        var recoveryCode = new Option<string?>("--recovery-code") { Description = "One of your two-factor recovery codes, in place of --code (each works once)" };
        var command = new Command("login", "Sign in and store an API token for this machine in the config directory") { username, passwordStdin, code, recoveryCode };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var login = parse.GetValue(username) ?? Prompts.Ask(context, "Username or email:", "--username");
            var password = Prompts.ReadPassword(context, parse.GetValue(passwordStdin), confirm: false);
            var anonymous = context.Anonymous();
            TokenResponse tokens;
            try
            {
                var signIn = await anonymous.SignInAsync(new LoginRequest(login, password), cancellationToken);
                tokens = signIn.Tokens ?? await CompleteTwoFactorAsync(context, anonymous, signIn.Challenge!, parse.GetValue(code), parse.GetValue(recoveryCode), cancellationToken);
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
        });
        return command;
    }

    public static Command Logout(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("logout", "Revoke the stored API token on the server and forget it here");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
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
        });
        return command;
    }

    public static Command WhoAmI(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("whoami", "Show the signed-in user");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
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
        });
        return command;
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

    private static string ServerHint(CliContext context) =>
        context.ServerOption is null ? string.Empty : " --server " + CliContext.Display(context.Server);

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
