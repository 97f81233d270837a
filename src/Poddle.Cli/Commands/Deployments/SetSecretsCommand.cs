using System.CommandLine;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle secrets set NAME KEY[=VALUE]...`: a bare KEY takes its value from the environment variable KEY.</summary>
internal sealed class SetSecretsCommand : DeploymentCommand
{
    private readonly Argument<string[]> _pairs = new("pairs") { Description = "KEY=VALUE, or KEY to read the value from the environment variable KEY", Arity = ArgumentArity.OneOrMore };

    public SetSecretsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("set", "Set secrets", environment, globals)
    {
        Arguments.Add(_pairs);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in parse.GetRequiredValue(_pairs))
        {
            var (key, value) = Quantities.ParsePair(pair, "secret");
            values[key] = value ?? DeployCommand.ReadSecret(context, key);
        }

        var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Secrets: values), cancellationToken);
        return Done(context, updated, $"Set secret {string.Join(", ", values.Keys)} on {updated.Name}; rolling out revision {updated.Revision}.");
    }
}
