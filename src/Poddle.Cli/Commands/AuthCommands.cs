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
            var name = parse.GetValue(username) ?? Ask(context, "Username:", "--username");
            var address = parse.GetValue(email) ?? Ask(context, "Email:", "--email");
            var password = ReadPassword(context, parse.GetValue(passwordStdin), confirm: true);
            var user = await context.Anonymous().RegisterAsync(new RegisterRequest(address, name, password, parse.GetValue(displayName)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(user, PoddleJsonContext.Default.UserResponse);
            }
            else
            {
                context.Output.Success($"Registered {user.Username} ({user.Email}) on {CliContext.Display(context.Server)}.");
                context.Output.Message($"Next: poddle login --username {user.Username}{ServerHint(context)}");
            }

            return ExitCode.Ok;
        });
        return command;
    }

    public static Command Login(CliEnvironment environment, GlobalOptions globals)
    {
        var username = new Option<string?>("--username", "-u") { Description = "User name or email (prompted for when omitted in a terminal)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (never pass it as an argument)" };
        var command = new Command("login", "Sign in and store an API token for this machine in the config directory") { username, passwordStdin };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var login = parse.GetValue(username) ?? Ask(context, "Username or email:", "--username");
            var password = ReadPassword(context, parse.GetValue(passwordStdin), confirm: false);
            var anonymous = context.Anonymous();
            TokenResponse tokens;
            try
            {
                tokens = await anonymous.LoginAsync(new LoginRequest(login, password), cancellationToken);
            }
            catch (PoddleApiException ex) when (ex.Status == 401)
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

    private static string Ask(CliContext context, string prompt, string option)
    {
        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage($"{option} is required when not running in a terminal.");
        }

        return context.Output.Error.Prompt(new TextPrompt<string>(prompt));
    }

    private static string ReadPassword(CliContext context, bool fromStdin, bool confirm)
    {
        if (fromStdin)
        {
            var line = context.Environment.In.ReadLine();
            return string.IsNullOrEmpty(line)
                ? throw CliException.Usage("--password-stdin: standard input is empty; pipe the password in, e.g. `echo \"$PASSWORD\" | poddle login -u NAME --password-stdin`.")
                : line;
        }

        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage("Pass --password-stdin and pipe the password in (passwords are never taken as arguments), or run in a terminal to be prompted.");
        }

        var password = context.Output.Error.Prompt(new TextPrompt<string>("Password:").Secret());
        if (confirm && context.Output.Error.Prompt(new TextPrompt<string>("Repeat password:").Secret()) != password)
        {
            throw new CliException("The passwords do not match.");
        }

        return password;
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
