using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Accounts;

/// <summary>`poddle register`: creates an account, asking in a terminal for what the options do not give.</summary>
internal sealed class RegisterCommand : CliCommand
{
    private readonly Option<string?> _username = new("--username", "-u") { Description = "Your user name (lowercase letters, digits, '-')" };
    private readonly Option<string?> _email = new("--email") { Description = "Your email address" };
    private readonly Option<string?> _displayName = new("--display-name") { Description = "The name shown to people (optional)" };
    private readonly Option<bool> _passwordStdin = new("--password-stdin") { Description = "Read the password from the first line of standard input" };

    public RegisterCommand(CliEnvironment environment, GlobalOptions globals)
        : base("register", "Create an account on the server", environment, globals)
    {
        Options.Add(_username);
        Options.Add(_email);
        Options.Add(_displayName);
        Options.Add(_passwordStdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(_username) ?? Prompts.Ask(context, "Username:", "--username");
        var address = parse.GetValue(_email) ?? Prompts.Ask(context, "Email:", "--email");
        var password = Prompts.ReadPassword(context, parse.GetValue(_passwordStdin), confirm: true);
        var user = await context.Anonymous().RegisterAsync(new RegisterRequest(address, name, password, parse.GetValue(_displayName)), cancellationToken);
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
    }

    private static string ServerHint(CliContext context) =>
        context.ServerOption is null ? string.Empty : " --server " + CliContext.Display(context.Server);
}
