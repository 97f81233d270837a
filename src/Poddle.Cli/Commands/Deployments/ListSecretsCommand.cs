using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle secrets ls NAME`: the secrets' names, one a line (never their values).</summary>
internal sealed class ListSecretsCommand(CliEnvironment environment, GlobalOptions globals)
    : DeploymentCommand("ls", "List the names of the secrets (never their values)", environment, globals)
{
    protected override Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var names = deployment.SecretKeys.Order(StringComparer.Ordinal).ToList();
        if (context.Output.Json)
        {
            context.Output.WriteJson<IReadOnlyList<string>>(names, CliJsonContext.Default.IReadOnlyListString);
        }
        else if (names.Count == 0)
        {
            context.Output.Message($"{deployment.Name} has no secrets. Set one with `poddle secrets set {deployment.Name} KEY` (value from $KEY).");
        }
        else
        {
            foreach (var name in names)
            {
                context.Output.Out.WriteLine(name);
            }
        }

        return Task.FromResult(ExitCode.Ok);
    }
}
