using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle env unset NAME KEY...`.</summary>
internal sealed class UnsetEnvCommand : DeploymentCommand
{
    private readonly Argument<string[]> _keys = new("keys") { Description = "Variable names", Arity = ArgumentArity.OneOrMore };

    public UnsetEnvCommand(CliEnvironment environment, GlobalOptions globals)
        : base("unset", "Remove environment variables", environment, globals)
    {
        Arguments.Add(_keys);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var names = Keys(parse.GetRequiredValue(_keys));
        var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Env: names.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal)), cancellationToken);
        return Done(context, updated, $"Removed {string.Join(", ", names)} from {updated.Name}; rolling out revision {updated.Revision}.");
    }
}
