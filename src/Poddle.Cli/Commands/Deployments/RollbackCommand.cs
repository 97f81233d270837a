using System.CommandLine;
using System.Globalization;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle rollback NAME [--revision N]`.</summary>
internal sealed class RollbackCommand : DeploymentCommand
{
    private readonly Option<int?> _revision = new("--revision") { Description = "The revision to go back to (default: the one before the current one)" };

    public RollbackCommand(CliEnvironment environment, GlobalOptions globals)
        : base("rollback", "Roll a deployment back to an earlier revision, its configuration included", environment, globals)
    {
        AddOption(_revision);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        var to = parse.GetValue(_revision);
        var rolled = await client.RollbackDeploymentAsync(deployment.Id, new RollbackDeploymentRequest(to), cancellationToken);
        var what = to is { } n ? string.Create(CultureInfo.InvariantCulture, $"revision {n}") : "the previous revision";
        return Done(context, rolled, string.Create(CultureInfo.InvariantCulture, $"Rolling {rolled.Name} back to {what} (now revision {rolled.Revision}). Watch it with `poddle ps`."));
    }
}
