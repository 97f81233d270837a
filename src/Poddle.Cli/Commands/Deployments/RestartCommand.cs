using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle restart NAME`: a rolling restart.</summary>
internal sealed class RestartCommand(CliEnvironment environment, GlobalOptions globals)
    : DeploymentCommand("restart", "Restart a deployment's replicas one by one (rolling, no downtime with 2 or more)", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var restarted = await client.RestartDeploymentAsync(deployment.Id, cancellationToken);
        return Done(context, restarted, $"Restarting {restarted.Name}. Watch it with `poddle events {restarted.Name}`.");
    }
}
