using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// Watches every replica of every live deployment (Kubernetes semantics), once per <see cref="ControllerTimings.MonitorTick"/>:
/// a pod that exited (or vanished) is a crash — reason from its <see cref="ExitResult"/> (OOMKilled, exit code N), phase
/// Crashed, restarted after a back-off of 10 s doubling to 5 min, reset after 10 minutes ready. Running pods are probed
/// every <see cref="HealthCheckSpec.PeriodSeconds"/>: a failed probe takes the replica out of traffic at once
/// (readiness), <see cref="HealthCheckSpec.FailureThreshold"/> consecutive failures restart it (liveness). The
/// deployment's status follows (Running, Degraded, Unhealthy) with events, and its owner is notified (throttled).
/// Runs only on the server holding the controller lease, after the reconciler's startup pass; a failing iteration is
/// logged and the loop goes on.
/// </summary>
public sealed partial class ReplicaHealthMonitor(
    IServiceScopeFactory scopes,
    PodDriverRegistry drivers,
    ReplicaProber prober,
    ReplicaCrashOutput crashOutput,
    DeploymentLocks locks,
    DeploymentControllerStartup startup,
    ControllerLeadership leadership,
    DeploymentChangeSignal changes,
    TimeProvider clock,
    ILogger<ReplicaHealthMonitor> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _nextProbe = new();

    /// <summary>One pass over every live deployment.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            return;
        }

        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Deployments
                .Where(d => d.DeletedAt == null && d.Status != DeploymentStatus.Deleting && d.Status != DeploymentStatus.Deleted && d.Status != DeploymentStatus.Pending)
                .Select(d => d.Id)
                .ToListAsync(cancellationToken);
        }

        foreach (var id in ids)
        {
            try
            {
                using var held = await locks.AcquireAsync(id, cancellationToken);
                await CheckAsync(id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogDeploymentFailed(logger, ex, id);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await ControllerLoop.RunAsync(RunOnceAsync, () => ControllerTimings.MonitorTick, clock, ex => LogIterationFailed(logger, ex), stoppingToken);
    }

    private async Task CheckAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PoddleDbContext>();
        var events = services.GetRequiredService<DeploymentEventRecorder>();
        var pods = services.GetRequiredService<ReplicaPods>();
        var d = await db.Deployments.FirstOrDefaultAsync(x => x.Id == deploymentId, cancellationToken);
        if (d is null || d.DeletedAt is not null || drivers.Find(d.Driver) is not { } driver)
        {
            return;
        }

        var replicas = await db.Replicas
            .Where(r => r.DeploymentId == d.Id && (r.Phase == ReplicaPhase.Running || r.Phase == ReplicaPhase.Crashed))
            .ToListAsync(cancellationToken);
        var revisions = await db.DeploymentRevisions.Where(r => r.DeploymentId == d.Id).ToListAsync(cancellationToken);
        var routing = false;
        foreach (var replica in replicas)
        {
            var revision = revisions.First(r => r.Number == replica.Revision);
            routing |= await CheckReplicaAsync(d, revision, replica, driver, pods, events, cancellationToken);
        }

        if (d.Status is DeploymentStatus.Running or DeploymentStatus.Degraded or DeploymentStatus.Unhealthy && d.ObservedGeneration == d.Generation)
        {
            var active = await db.Replicas.Where(r => r.DeploymentId == d.Id && r.Phase != ReplicaPhase.Stopped).ToListAsync(cancellationToken);
            var (status, reason) = DeploymentHealthPolicy.Evaluate(d, active);
            if (status != d.Status)
            {
                await events.SetStatusAsync(d, status, reason, cancellationToken);
                if (status is DeploymentStatus.Degraded or DeploymentStatus.Unhealthy)
                {
                    await services.GetRequiredService<DeploymentNotifier>().NotifyAsync(d, reason, cancellationToken);
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        if (routing)
        {
            changes.Notify(d.Id);
        }
    }

    /// <summary>Inspects, probes, restarts one replica; true when its readiness changed.</summary>
    private async Task<bool> CheckReplicaAsync(Deployment d, DeploymentRevision revision, Replica replica, IPodDriver driver, ReplicaPods pods, DeploymentEventRecorder events, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var wasReady = replica.Ready;
        if (replica.Phase == ReplicaPhase.Crashed)
        {
            if (replica.NextRestartAt is { } at && now >= at)
            {
                await RestartAsync(d, revision, replica, driver, pods, events, replica.LastExitReason ?? "crashed", cancellationToken);
            }

            return wasReady != replica.Ready;
        }

        if (await pods.HandleAsync(replica, cancellationToken) is not { } handle)
        {
            return false;
        }

        var status = await driver.InspectAsync(handle, cancellationToken);
        if (status.State is PodState.Exited or PodState.NotFound)
        {
            var reason = status.Exit?.Reason ?? "pod disappeared";
            replica.CrashStreak++;
            var delay = ControllerTimings.CrashBackoff(replica.CrashStreak);
            replica.Phase = ReplicaPhase.Crashed;
            replica.Ready = false;
            replica.ReadySince = null;
            replica.ProbeFailures = 0;
            replica.LastExitReason = reason;
            replica.LastExitAt = now;
            replica.NextRestartAt = now + delay;
            replica.EndpointHost = null;
            replica.EndpointPort = null;
            replica.UpdatedAt = now;
            _nextProbe.TryRemove(replica.Id, out _);
            var stderr = await crashOutput.ReadAsync(driver, handle, revision, cancellationToken);
            await events.RecordAsync(d.Id, "ReplicaCrashed", reason, CrashMessage(replica, reason, delay, stderr), replica.Id, DeploymentEventRecorder.Warning, cancellationToken);
            LogCrashed(logger, d.Id, replica.Id, reason, delay);
            return wasReady;
        }

        if (status.Endpoint is { } endpoint && (endpoint.Host != replica.EndpointHost || endpoint.Port != replica.EndpointPort))
        {
            replica.EndpointHost = endpoint.Host;
            replica.EndpointPort = endpoint.Port;
            replica.UpdatedAt = now;
        }

        if (replica.CrashStreak > 0 && replica.Ready && replica.ReadySince is { } since && now - since >= ControllerTimings.CrashStreakReset)
        {
            replica.CrashStreak = 0;
            replica.UpdatedAt = now;
        }

        var spec = ReplicaPods.ReadSpec(revision);
        var check = spec.HealthCheck;
        var period = TimeSpan.FromSeconds(Math.Max(1, check?.PeriodSeconds ?? 10));
        if ((replica.StartedAt is { } started && now < started.AddSeconds(check?.InitialDelaySeconds ?? 0))
            || (_nextProbe.TryGetValue(replica.Id, out var next) && now < next))
        {
            return false;
        }

        _nextProbe[replica.Id] = now + period;
        var endpointNow = replica.EndpointHost is { } host && replica.EndpointPort is { } port ? new PodEndpoint(host, port) : null;
        var probe = await prober.ProbeAsync(check, spec.Port, endpointNow, driver, handle, cancellationToken);
        if (probe.Healthy)
        {
            replica.ProbeFailures = 0;
            if (!replica.Ready)
            {
                replica.Ready = true;
                replica.ReadySince = now;
                replica.UpdatedAt = now;
                await events.RecordAsync(d.Id, "ReplicaReady", "ready", $"replica {Short(replica)} is ready ({probe.Detail})", replica.Id, cancellationToken: cancellationToken);
            }

            return !wasReady;
        }

        replica.ProbeFailures++;
        replica.UpdatedAt = now;
        var threshold = Math.Max(1, check?.FailureThreshold ?? 3);
        if (replica.Ready)
        {
            replica.Ready = false;
            replica.ReadySince = null;
        }

        await events.RecordAsync(d.Id, "ProbeFailed", "probe failed", $"replica {Short(replica)}: {probe.Detail} ({replica.ProbeFailures}/{threshold})", replica.Id, DeploymentEventRecorder.Warning, cancellationToken);
        if (replica.ProbeFailures >= threshold)
        {
            var reason = $"liveness probe failed: {probe.Detail}";
            replica.LastExitReason = reason;
            replica.LastExitAt = now;
            await pods.StopAsync(driver, handle, cancellationToken);
            await RestartAsync(d, revision, replica, driver, pods, events, reason, cancellationToken);
        }

        return wasReady != replica.Ready;
    }

    private async Task RestartAsync(Deployment d, DeploymentRevision revision, Replica replica, IPodDriver driver, ReplicaPods pods, DeploymentEventRecorder events, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        _nextProbe.TryRemove(replica.Id, out _);
        try
        {
            await pods.StartAsync(driver, d, revision, replica, cancellationToken);
            replica.Restarts++;
            await events.RecordAsync(d.Id, "ReplicaRestarted", reason, $"replica {Short(replica)} restarted ({reason}); restarts: {replica.Restarts}", replica.Id, DeploymentEventRecorder.Warning, cancellationToken);
            LogRestarted(logger, d.Id, replica.Id, reason, replica.Restarts);
        }
        catch (PodDriverException ex)
        {
            var why = ReplicaPods.ReasonOf(ex);
            replica.CrashStreak++;
            var delay = ControllerTimings.CrashBackoff(replica.CrashStreak);
            replica.Phase = ReplicaPhase.Crashed;
            replica.Ready = false;
            replica.LastExitReason = why;
            replica.LastExitAt = now;
            replica.NextRestartAt = now + delay;
            replica.UpdatedAt = now;
            await events.RecordAsync(d.Id, "StartFailed", ex.Kind.ToString(), $"replica {Short(replica)} could not restart: {why}; next try in {delay}", replica.Id, DeploymentEventRecorder.Warning, cancellationToken);
        }
    }

    /// <summary>
    /// A ReplicaCrashed event's message: its first line says what happened; then, when the replica wrote to stderr, a
    /// line "  last lines on stderr:" and those lines, each indented by four spaces, secrets masked
    /// (<see cref="ReplicaCrashOutput"/>).
    /// </summary>
    internal static string CrashMessage(Replica replica, string reason, TimeSpan delay, IReadOnlyList<string> stderr)
    {
        var looping = CrashLoop.IsCrashLooping(replica) ? string.Create(CultureInfo.InvariantCulture, $"crash-looping ({replica.CrashStreak} crashes in a row); ") : string.Empty;
        var summary = string.Create(CultureInfo.InvariantCulture, $"replica {Short(replica)} exited ({reason}); {looping}restarting in {Quantity(delay)}");
        return stderr.Count == 0
            ? summary + "; it wrote nothing to stderr"
            : summary + "\n  last lines on stderr:" + string.Concat(stderr.Select(line => "\n    " + line));
    }

    private static string Quantity(TimeSpan delay) =>
        delay.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{delay.TotalSeconds:0} s")
        : delay.Seconds == 0 ? string.Create(CultureInfo.InvariantCulture, $"{delay.TotalMinutes:0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)delay.TotalMinutes} min {delay.Seconds} s");

    private static string Short(Replica replica) => ReplicaShortId.Of(replica.Id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: replica {ReplicaId} crashed ({Reason}); restart in {Delay}")]
    private static partial void LogCrashed(ILogger logger, Guid deploymentId, Guid replicaId, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId}: replica {ReplicaId} restarted ({Reason}); restarts {Restarts}")]
    private static partial void LogRestarted(ILogger logger, Guid deploymentId, Guid replicaId, string reason, int restarts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica health monitor: deployment {DeploymentId} failed this pass")]
    private static partial void LogDeploymentFailed(ILogger logger, Exception exception, Guid deploymentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Replica health monitor: iteration failed; retrying next tick")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);
}
