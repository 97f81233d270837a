using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle rm NAME [--yes]`: deletes a deployment, after asking when there is someone to ask.</summary>
internal sealed class RemoveCommand : DeploymentCommand
{
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Do not ask for confirmation" };

    public RemoveCommand(CliEnvironment environment, GlobalOptions globals)
        : base("rm", "Delete a deployment: its replicas, domains and revisions", environment, globals)
    {
        AddOption(_yes);
        Aliases.Add("delete");
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, PoddleClient client, DeploymentResponse deployment, CancellationToken cancellationToken)
    {
        if (!parse.GetValue(_yes))
        {
            if (!context.Environment.IsInteractive)
            {
                throw CliException.Usage($"Deleting {deployment.Name} cannot be undone; pass --yes to confirm.");
            }

            if (!context.Output.Error.Confirm($"Delete {deployment.Name} ({deployment.Url}) and all its replicas?", defaultValue: false))
            {
                context.Output.Message("Nothing deleted.");
                return ExitCode.Ok;
            }
        }

        await client.DeleteDeploymentAsync(deployment.Id, cancellationToken);
        return Done(context, deployment, $"Deleting {deployment.Name}: its replicas are stopped and removed in the background.");
    }
}
