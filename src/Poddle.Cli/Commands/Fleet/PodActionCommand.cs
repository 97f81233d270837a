using System.CommandLine;
using Poddle.Cli.Configuration;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods start|stop|terminate ID`: one verb on one pod; terminate asks first unless --yes.</summary>
internal sealed class PodActionCommand : FleetCommand
{
    private readonly PodAction _action;
    private readonly Argument<string> _id = new("id") { Description = "The pod's id at the driver (see `poddle pods ls`)" };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Do not ask for confirmation (terminate)" };

    public PodActionCommand(PodAction action, CliEnvironment environment, GlobalOptions globals)
        : base(
            action.ToString().ToLowerInvariant(),
            action switch
            {
                PodAction.Start => "Start a stopped pod again (RunPod: resume with its GPUs)",
                PodAction.Stop => "Stop a pod (RunPod keeps its volume; start it again later)",
                _ => "Terminate a pod for good (its disks are gone)",
            },
            environment,
            globals)
    {
        _action = action;
        Arguments.Add(_id);
        if (action == PodAction.Terminate)
        {
            Options.Add(_yes);
            Aliases.Add("rm");
        }
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var driver = Driver(parse);
        var id = parse.GetRequiredValue(_id);
        switch (_action)
        {
            case PodAction.Start:
                var started = await client.StartPodAsync(driver, id, cancellationToken);
                context.Output.Result(started, PoddleJsonContext.Default.PodResponse, $"Started pod {id}: {started.Status}.");
                break;
            case PodAction.Stop:
                var stopped = await client.StopPodAsync(driver, id, cancellationToken);
                context.Output.Result(stopped, PoddleJsonContext.Default.PodResponse, $"Stopped pod {id}: {stopped.Status}. Start it again with `poddle pods start {id}`.");
                break;
            default:
                if (!parse.GetValue(_yes))
                {
                    if (!context.Environment.IsInteractive)
                    {
                        throw CliException.Usage($"Terminating pod {id} cannot be undone; pass --yes to confirm.");
                    }

                    if (!context.Output.Error.Confirm($"Terminate pod {id} at {driver} for good?", defaultValue: false))
                    {
                        context.Output.Message("Nothing terminated.");
                        return ExitCode.Ok;
                    }
                }

                await client.TerminatePodAsync(driver, id, cancellationToken);
                if (context.Output.Json)
                {
                    context.Output.WriteJson(new TerminatedPod(driver, id, true), CliJsonContext.Default.TerminatedPod);
                }
                else
                {
                    context.Output.Success($"Terminated pod {id}.");
                }

                break;
        }

        return ExitCode.Ok;
    }
}
