using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Tokens;

/// <summary>`poddle tokens create NAME`: the token's secret is printed once.</summary>
internal sealed class CreateTokenCommand : CliCommand
{
    private readonly Argument<string> _name = new("name") { Description = "What the token is for, e.g. 'ci'" };
    private readonly Option<int?> _expires = new("--expires-in-days") { Description = "Days until the token stops working (default: never)" };

    public CreateTokenCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create an API token; it is shown once", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_expires);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var created = await context.Authenticated().CreateTokenAsync(
            new CreateApiTokenRequest(parse.GetRequiredValue(_name), parse.GetValue(_expires)), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(created, PoddleJsonContext.Default.CreatedApiTokenResponse);
            return ExitCode.Ok;
        }

        var expiry = created.ExpiresAt is { } at ? "expires " + CliOutput.Minute(at) : "does not expire";
        context.Output.Success($"Created token '{created.Name}' ({created.Id}), {expiry}.");
        context.Output.Message("Copy it now; it is not shown again:");

        // The token alone on its line, so it can be selected or cut out of the output.
        context.Output.Out.WriteLine(created.Token);
        return ExitCode.Ok;
    }
}
