using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle domains rm NAME HOST`.</summary>
internal sealed class RemoveDomainCommand(CliEnvironment environment, GlobalOptions globals)
    : DomainCommand("rm", "Remove a custom domain", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var domain = await FindDomainAsync(parse, client, deployment, cancellationToken);
        await client.RemoveDomainAsync(deployment.Id, domain.Id, cancellationToken);
        context.Output.Result(domain, PoddleJsonContext.Default.DomainResponse, $"Removed {domain.Hostname} from {deployment.Name}.");

        return ExitCode.Ok;
    }
}
