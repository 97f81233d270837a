using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>`poddle deploy`'s second half: following the rollout until it runs, fails or the time is up.</summary>
internal sealed partial class DeployCommand
{
    /// <summary>Polls the deployment and its events until the target revision runs with every replica ready, fails, or the time is up.</summary>
    private static async Task<ExitCode> FollowAsync(
        CliContext context, PoddleClient client, DeploymentResponse deployment, HashSet<(Guid, int)> seenEvents, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = context.Environment.Time;
        var deadline = time.GetUtcNow() + timeout;
        var targetRevision = deployment.Revision;
        string? lastState = null;
        while (true)
        {
            var state = string.Create(CultureInfo.InvariantCulture, $"{deployment.Status} · {ReadyOf(deployment, targetRevision)}/{deployment.Replicas} ready");
            if (state != lastState)
            {
                context.Output.Messages.MarkupLineInterpolated($"  [bold]{deployment.Status}[/] · {ReadyOf(deployment, targetRevision)}/{deployment.Replicas} ready{(deployment.StatusReason is { } why ? " · " + why : string.Empty)}");
                lastState = state;
            }

            var events = await client.ListDeploymentEventsAsync(deployment.Id, cancellationToken);
            foreach (var e in events.OrderBy(e => e.LastSeenAt))
            {
                if (seenEvents.Add((e.Id, e.Count)))
                {
                    // The first line only: a crash's stderr lines follow it, and are shown once, if the deploy stops for them.
                    context.Output.Messages.WriteLine(
                        $"  {e.LastSeenAt.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {e.Severity} {e.Reason}: {FirstLine(e.Message)}{(e.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (×{e.Count})") : string.Empty)}");
                }
            }

            if (deployment.Revision == targetRevision && deployment.ReplicaDetails.Where(r => r.Revision == targetRevision && r.CrashLooping).ToList() is { Count: > 0 } looping)
            {
                return CrashLooping(context, deployment, looping, events);
            }

            if (deployment.Revision != targetRevision)
            {
                return Fail(context, deployment, $"{deployment.Name} revision {targetRevision} did not become ready and the deployment is back on revision {deployment.Revision}"
                    + (deployment.StatusReason is { } r ? $": {r}" : string.Empty) + $". See `poddle events {deployment.Name}` and `poddle logs {deployment.Name}`.");
            }

            if (deployment.Status == DeploymentStatuses.Suspended)
            {
                return Fail(context, deployment, $"{deployment.Name} is suspended: {deployment.StatusReason ?? "the balance is below zero"}. See `poddle billing balance`; it resumes once the balance is above zero.");
            }

            if (deployment.Status is DeploymentStatuses.Failed or DeploymentStatuses.Deleted or DeploymentStatuses.Stopped)
            {
                return Fail(context, deployment, $"{deployment.Name} {deployment.Status}: {deployment.StatusReason ?? "no reason given"}. See `poddle events {deployment.Name}` and `poddle logs {deployment.Name}`.");
            }

            if (deployment.Status == DeploymentStatuses.Running && ReadyOf(deployment, targetRevision) >= deployment.Replicas)
            {
                context.Output.Result(deployment, PoddleJsonContext.Default.DeploymentResponse, string.Create(CultureInfo.InvariantCulture, $"{deployment.Name} is running ({deployment.ReadyReplicas}/{deployment.Replicas} ready, revision {deployment.Revision}): {deployment.Url}"));

                return ExitCode.Ok;
            }

            if (time.GetUtcNow() >= deadline)
            {
                if (context.Output.Json)
                {
                    context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
                }

                context.Output.ErrorMessage(
                    $"{deployment.Name} is not running after {Quantities.Format(timeout)} ({lastState}); it may still get there. Watch it with `poddle ps` and `poddle events {deployment.Name}`, or deploy with a longer --timeout.");
                return ExitCode.Timeout;
            }

            await Task.Delay(context.Environment.PollInterval, time, cancellationToken);
            deployment = await client.GetDeploymentAsync(deployment.Id, cancellationToken);
        }
    }

    /// <summary>
    /// Replicas of the revision being deployed crash-loop (docs/deployments.md, "Health and restarts"): waiting longer only
    /// waits for longer back-offs, so say so now, with what each of them last wrote to stderr (from its latest
    /// ReplicaCrashed event, where the server masked the secrets).
    /// </summary>
    private static ExitCode CrashLooping(CliContext context, DeploymentResponse deployment, List<ReplicaResponse> looping, IReadOnlyList<DeploymentEventResponse> events)
    {
        var reasons = string.Join(", ", looping.Select(r => r.LastExitReason).OfType<string>().Distinct(StringComparer.Ordinal));
        var lines = new List<string>
        {
            string.Create(
                CultureInfo.InvariantCulture,
                $"{deployment.Name} is crashing: {looping.Count} of {deployment.Replicas} replicas of revision {deployment.Revision} keep exiting{(reasons.Length == 0 ? string.Empty : $" ({reasons})")}, so it will not become ready."),
        };
        foreach (var replica in looping)
        {
            var crash = events.Where(e => e.Type == "ReplicaCrashed" && e.ReplicaId == replica.Id).MaxBy(e => e.LastSeenAt);
            lines.Add(crash is null
                ? $"  replica {DeploymentCommand.ShortId(replica)}: {replica.LastExitReason ?? "crashed"}"
                : "  " + crash.Message.Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        lines.Add(deployment.ReplicaDetails.Any(r => r.Revision != deployment.Revision && r.Ready)
            ? $"The replicas of the previous revision keep serving, and the server rolls back if this one does not get ready. Fix the app and deploy again; see `poddle logs {deployment.Name}` and `poddle events {deployment.Name}`."
            : $"The server keeps restarting them with a growing back-off. Fix the app and deploy again; see `poddle logs {deployment.Name}` and `poddle events {deployment.Name}`.");
        return Fail(context, deployment, string.Join(Environment.NewLine, lines));
    }

    private static string FirstLine(string text) => text.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0 ? text[..end] : text;

    /// <summary>Ready replicas of <paramref name="revision"/> (all ready replicas when the server lists none).</summary>
    internal static int ReadyOf(DeploymentResponse deployment, int revision) =>
        deployment.ReplicaDetails.Count == 0 ? deployment.ReadyReplicas : deployment.ReplicaDetails.Count(r => r.Ready && r.Revision == revision);

    private static ExitCode Finish(CliContext context, DeploymentResponse deployment, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
        }
        else
        {
            context.Output.Message(message);
        }

        return ExitCode.Ok;
    }

    private static ExitCode Fail(CliContext context, DeploymentResponse deployment, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
        }

        context.Output.ErrorMessage(message);
        return ExitCode.DeploymentFailed;
    }
}
