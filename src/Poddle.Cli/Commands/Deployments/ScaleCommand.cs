using System.CommandLine;
using System.Globalization;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle scale NAME N`.</summary>
internal sealed class ScaleCommand : DeploymentCommand
{
    private readonly Argument<int> _replicas = new("replicas") { Description = "How many replicas to run (0 stops them all)" };

    public ScaleCommand(CliEnvironment environment, GlobalOptions globals)
        : base("scale", "Set how many replicas a deployment runs", environment, globals)
    {
        Arguments.Add(_replicas);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var wanted = parse.GetRequiredValue(_replicas);
        if (wanted < 0)
        {
            throw CliException.Usage("The number of replicas must be 0 or more.");
        }

        var scaled = await client.ScaleDeploymentAsync(deployment.Id, new ScaleDeploymentRequest(wanted), cancellationToken);
        return Done(context, scaled, string.Create(CultureInfo.InvariantCulture, $"Scaling {scaled.Name} from {deployment.Replicas} to {wanted} replicas. Watch it with `poddle ps`."));
    }
}
