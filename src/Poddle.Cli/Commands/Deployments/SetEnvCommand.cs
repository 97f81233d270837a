using System.CommandLine;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle env set NAME KEY=VALUE...`.</summary>
internal sealed class SetEnvCommand : DeploymentCommand
{
    private readonly Argument<string[]> _pairs = new("pairs") { Description = "KEY=VALUE pairs", Arity = ArgumentArity.OneOrMore };

    public SetEnvCommand(CliEnvironment environment, GlobalOptions globals)
        : base("set", "Set environment variables", environment, globals)
    {
        Arguments.Add(_pairs);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in parse.GetRequiredValue(_pairs))
        {
            var (key, value) = Quantities.ParsePair(pair, "variable");
            values[key] = value ?? throw CliException.Usage($"{key} has no value: write {key}=VALUE (remove it with `poddle env unset`).");
        }

        var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Env: values), cancellationToken);
        return Done(context, updated, $"Set {string.Join(", ", values.Keys)} on {updated.Name}; rolling out revision {updated.Revision}.");
    }
}
