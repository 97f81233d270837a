using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle ps [NAME] [--project P]`: the project's deployments, or one deployment's replicas.</summary>
internal sealed class PsCommand : CliCommand
{
    private readonly Argument<string?> _name = new("name") { Description = "A deployment (name or id): list its replicas instead", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _project = DeploymentTarget.ProjectOption();

    public PsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ps", "List the project's deployments (status, ready replicas, pods' health from their agents, revision, URL, age), or one deployment's replicas", environment, globals)
    {
        Arguments.Add(_name);
        Options.Add(_project);
    }

    /// <summary>
    /// The HEALTH column: replicas per pod-agent status, worst first ("1 lost, 1 healthy"); "-" when no replica's agent
    /// has reported (deployments need not run `poddle agent`).
    /// </summary>
    internal static string HealthSummary(IReadOnlyList<ReplicaResponse> replicas)
    {
        var statuses = replicas.Select(r => r.Health?.Status ?? HealthStatuses.Unknown).ToList();
        if (statuses.All(s => s == HealthStatuses.Unknown))
        {
            return "-";
        }

        return string.Join(", ", statuses
            .GroupBy(s => s, StringComparer.Ordinal)
            .OrderBy(g => HealthRank(g.Key))
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}")));
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        if (parse.GetValue(_name) is { } one)
        {
            return Replicas(context, await DeploymentTarget.ResolveAsync(context, client, one, parse.GetValue(_project), cancellationToken));
        }

        var target = await DeploymentTarget.ResolveProjectAsync(client, parse.GetValue(_project), () => DeploymentTarget.ProjectFromWorkingDirectory(context.Environment), cancellationToken);
        var deployments = await client.ListDeploymentsAsync(target.Id, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployments, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse);
            return ExitCode.Ok;
        }

        if (deployments.Count == 0)
        {
            context.Output.Message($"Project {target.Name} has no deployments. Deploy one with `poddle deploy`.");
            return ExitCode.Ok;
        }

        var now = context.Environment.Time.GetUtcNow();
        var table = CliOutput.Table("NAME", "STATUS", "READY", "HEALTH", "REVISION", "URL", "AGE");
        foreach (var d in deployments.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            table.AddRow(
                new Text(d.Name),
                new Text(d.Status, StatusStyle(d.Status)),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{d.ReadyReplicas}/{d.Replicas}")),
                new Text(HealthSummary(d.ReplicaDetails), HealthStyle(d.ReplicaDetails)),
                new Text(d.Revision.ToString(CultureInfo.InvariantCulture)),
                new Text(d.Url),
                new Text(Quantities.Format(now - d.CreatedAt)));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }

    /// <summary>`poddle ps NAME`: one row per replica, by the short id that logs and events show too.</summary>
    private static ExitCode Replicas(CliContext context, DeploymentResponse deployment)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
            return ExitCode.Ok;
        }

        var live = deployment.ReplicaDetails.Where(r => r.Phase != ReplicaPhases.Stopped).ToList();
        if (live.Count == 0)
        {
            context.Output.Message($"{deployment.Name} has no replicas ({deployment.Status}{(deployment.StatusReason is { } why ? ": " + why : string.Empty)}).");
            return ExitCode.Ok;
        }

        var now = context.Environment.Time.GetUtcNow();
        var table = CliOutput.Table("REPLICA", "REVISION", "PHASE", "READY", "RESTARTS", "LAST EXIT", "HEALTH", "AGE");
        foreach (var r in live.OrderBy(r => r.Revision).ThenBy(DeploymentCommand.ShortId, StringComparer.Ordinal))
        {
            var phase = r.CrashLooping ? "crash-looping" : r.Phase;
            table.AddRow(
                new Text(DeploymentCommand.ShortId(r)),
                new Text(r.Revision.ToString(CultureInfo.InvariantCulture)),
                new Text(phase, r.CrashLooping || r.Phase == ReplicaPhases.Crashed ? new Style(Color.Red) : Style.Plain),
                new Text(r.Ready ? "yes" : "no", r.Ready ? new Style(Color.Green) : new Style(Color.Yellow)),
                new Text(r.Restarts.ToString(CultureInfo.InvariantCulture)),
                new Text(r.LastExitReason ?? "-"),
                new Text(r.Health?.Status ?? HealthStatuses.Unknown),
                new Text(r.StartedAt is { } started ? Quantities.Format(now - started) : "-"));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }

    private static int HealthRank(string status) => status switch
    {
        HealthStatuses.Critical => 0,
        HealthStatuses.Lost => 1,
        HealthStatuses.Degraded => 2,
        HealthStatuses.Healthy => 3,
        _ => 4,
    };

    private static Style HealthStyle(IReadOnlyList<ReplicaResponse> replicas)
    {
        var worst = replicas.Select(r => r.Health?.Status ?? HealthStatuses.Unknown).Where(s => s != HealthStatuses.Unknown).OrderBy(HealthRank).FirstOrDefault();
        return worst switch
        {
            HealthStatuses.Critical or HealthStatuses.Lost => new Style(Color.Red),
            HealthStatuses.Degraded => new Style(Color.Yellow),
            HealthStatuses.Healthy => new Style(Color.Green),
            _ => Style.Plain,
        };
    }

    private static Style StatusStyle(string status) => status switch
    {
        DeploymentStatuses.Running => new Style(Color.Green),
        DeploymentStatuses.Failed or DeploymentStatuses.Unhealthy or DeploymentStatuses.Suspended => new Style(Color.Red),
        DeploymentStatuses.Degraded or DeploymentStatuses.Pending or DeploymentStatuses.Provisioning => new Style(Color.Yellow),
        _ => Style.Plain,
    };
}
