using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle secrets rm NAME KEY...`: each must be one of the deployment's secrets.</summary>
internal sealed class RemoveSecretsCommand : DeploymentCommand
{
    private readonly Argument<string[]> _keys = new("keys") { Description = "Secret names", Arity = ArgumentArity.OneOrMore };

    public RemoveSecretsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("rm", "Remove secrets", environment, globals)
    {
        Arguments.Add(_keys);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var names = Keys(parse.GetRequiredValue(_keys));
        var unknown = names.Where(n => !deployment.SecretKeys.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new CliException($"{deployment.Name} has no secret {string.Join(", ", unknown)}. See its secrets with `poddle secrets ls {deployment.Name}`.");
        }

        var updated = await client.UpdateDeploymentAsync(deployment.Id, new UpdateDeploymentRequest(Secrets: names.ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal)), cancellationToken);
        return Done(context, updated, $"Removed secret {string.Join(", ", names)} from {updated.Name}; rolling out revision {updated.Revision}.");
    }
}
