using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// Compares desired state (replica rows) with what every driver really runs (<see cref="IPodDriver.ListAsync"/> by this
/// installation's labels), every <see cref="DeploymentOptions.ReconcileInterval"/> and once at startup before anything
/// else touches pods (it then opens <see cref="DeploymentControllerStartup"/>). Known pods this process has not attached
/// to are re-adopted with <see cref="IPodDriver.RecoverAsync"/> — never restarted, so a server killed with -9 comes back
/// without duplicates. A replica whose pod is gone is recreated (Drift event). A pod carrying Poddle's labels without a
/// live replica row is an orphan, left to the fleet reconciliation (<see cref="Fleet.FleetReconciler"/>: alert, grace,
/// re-check, terminate). A deployment pending or provisioning for longer than
/// <see cref="DeploymentOptions.StuckAfter"/> is diagnosed (driver down, image missing, no resources) and failed with
/// that reason, or retried when the driver is fine.
/// </summary>
public sealed partial class DeploymentReconciler(
    IServiceScopeFactory scopes,
    PodDriverRegistry drivers,
    DeploymentLocks locks,
    DeploymentControllerStartup startup,
    ControllerLeadership leadership,
    DeploymentMetrics metrics,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<DeploymentReconciler> logger) : BackgroundService
{
    private readonly HashSet<string> _adopted = new(StringComparer.Ordinal);

    /// <summary>One pass over every driver and every stuck deployment; opens the startup gate when it ends.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await leadership.IsLeaderAsync(cancellationToken))
            {
                return;
            }

            foreach (var driver in drivers.All)
            {
                try
                {
                    await ReconcileDriverAsync(driver, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogDriverFailed(logger, ex, driver.Name);
                }
            }

            await DiagnoseStuckAsync(cancellationToken);
            metrics.ReconcilePassCompleted();
        }
        finally
        {
            startup.Open();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ControllerLoop.RunAsync(RunOnceAsync, () => options.Value.ReconcileInterval, clock, ex => LogIterationFailed(logger, ex), stoppingToken);
    }

    private async Task ReconcileDriverAsync(IPodDriver driver, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var pods = scope.ServiceProvider.GetRequiredService<ReplicaPods>();
        var listed = new List<PodHandle>();
        await foreach (var handle in driver.ListAsync(await pods.InstallationLabelsAsync(cancellationToken), cancellationToken))
        {
            listed.Add(handle);
        }

        var byDeployment = listed.GroupBy(h => ParseId(h.Labels.GetValueOrDefault(PodLabels.Id))).ToDictionary(g => g.Key, g => g.ToList());
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var withRows = await db.Replicas
            .Where(r => r.Driver == driver.Name && r.Phase != ReplicaPhase.Stopped)
            .Select(r => r.DeploymentId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var deploymentId in withRows.Union(byDeployment.Keys))
        {
            try
            {
                await ReconcileDeploymentAsync(driver, deploymentId, byDeployment.GetValueOrDefault(deploymentId) ?? [], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogDeploymentFailed(logger, ex, deploymentId);
            }
        }
    }

    private async Task ReconcileDeploymentAsync(IPodDriver driver, Guid deploymentId, List<PodHandle> listed, CancellationToken cancellationToken)
    {
        using var held = deploymentId != Guid.Empty ? await locks.AcquireAsync(deploymentId, cancellationToken) : null;
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PoddleDbContext>();
        var events = services.GetRequiredService<DeploymentEventRecorder>();
        var pods = services.GetRequiredService<ReplicaPods>();
        var deployment = deploymentId != Guid.Empty ? await db.Deployments.FirstOrDefaultAsync(d => d.Id == deploymentId, cancellationToken) : null;
        var rows = deployment is null
            ? []
            : await db.Replicas.Where(r => r.DeploymentId == deployment.Id && r.Driver == driver.Name && r.Phase != ReplicaPhase.Stopped).ToListAsync(cancellationToken);
        var now = clock.GetStoredUtcNow();
        var routing = false;

        foreach (var handle in listed)
        {
            var row = rows.FirstOrDefault(r => r.PodId == handle.PodId)
                ?? rows.FirstOrDefault(r => r.PodId is null && r.Phase == ReplicaPhase.Starting && r.Id.ToString("N") == handle.Labels.GetValueOrDefault(PodLabels.Replica));
            if (row is null || deployment is null || deployment.DeletedAt is not null)
            {
                // An orphan: the fleet reconciliation's (alerted, terminated after its grace and a re-check).
                continue;
            }

            if (_adopted.Add(handle.PodId))
            {
                // Re-adopt, never restart: a pod of an earlier process keeps running and serving.
                await driver.RecoverAsync(handle, cancellationToken);
                LogAdopted(logger, deployment.Id, row.Id, handle.PodId);
            }

            if (row.PodId is null)
            {
                // A step died between starting the pod and saving its handle: the pod is the replica's.
                row.PodId = handle.PodId;
                row.PodStateVersion = handle.StateVersion;
                row.PodState = handle.DriverState;
                row.Phase = ReplicaPhase.Running;
                row.StartedAt ??= now;
                row.UpdatedAt = now;
                var status = await driver.InspectAsync(handle, cancellationToken);
                row.EndpointHost = status.Endpoint?.Host;
                row.EndpointPort = status.Endpoint?.Port;
                await events.RecordAsync(deployment.Id, "Drift", "pod adopted", $"replica {Short(row)}: adopted pod {handle.PodId}, started by an interrupted step", row.Id, cancellationToken: cancellationToken);
            }
        }

        if (deployment is not null && deployment.DeletedAt is null && drivers.Find(deployment.Driver) == driver)
        {
            var revisions = await db.DeploymentRevisions.Where(r => r.DeploymentId == deployment.Id).ToListAsync(cancellationToken);
            foreach (var row in rows.Where(r => r.Phase == ReplicaPhase.Running && r.PodId is not null && listed.All(h => h.PodId != r.PodId)))
            {
                var handle = (await pods.HandleAsync(row, cancellationToken))!;
                if ((await driver.InspectAsync(handle, cancellationToken)).State != PodState.NotFound)
                {
                    continue;
                }

                // The pod is gone behind Poddle's back: drift, recreated for the same replica.
                routing |= row.Ready;
                var revision = revisions.First(r => r.Number == row.Revision);
                row.LastExitReason = "pod disappeared";
                row.LastExitAt = now;
                row.Ready = false;
                await events.RecordAsync(deployment.Id, "Drift", "pod missing", $"replica {Short(row)}: pod {row.PodId} is gone; recreating it", row.Id, DeploymentEventRecorder.Warning, cancellationToken);
                try
                {
                    await pods.StartAsync(driver, deployment, revision, row, cancellationToken);
                    row.Restarts++;
                    _adopted.Add(row.PodId!);
                }
                catch (PodDriverException ex)
                {
                    row.Phase = ReplicaPhase.Crashed;
                    row.CrashStreak++;
                    row.NextRestartAt = now + ControllerTimings.CrashBackoff(row.CrashStreak);
                    row.LastExitReason = ReplicaPods.ReasonOf(ex);
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        if (routing && deployment is not null)
        {
            services.GetRequiredService<DeploymentChangeSignal>().Notify(deployment.Id);
        }
    }

    private async Task DiagnoseStuckAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetStoredUtcNow() - options.Value.StuckAfter;
        List<Guid> stuck;
        await using (var scope = scopes.CreateAsyncScope())
        {
            stuck = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Deployments
                .Where(d => d.DeletedAt == null && (d.Status == DeploymentStatus.Pending || d.Status == DeploymentStatus.Provisioning) && d.StatusChangedAt < before)
                .Select(d => d.Id)
                .ToListAsync(cancellationToken);
        }

        foreach (var id in stuck)
        {
            using var held = await locks.AcquireAsync(id, cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<PoddleDbContext>();
            var events = services.GetRequiredService<DeploymentEventRecorder>();
            var d = await db.Deployments.FirstAsync(x => x.Id == id, cancellationToken);
            if (d.Status is not (DeploymentStatus.Pending or DeploymentStatus.Provisioning) || d.StatusChangedAt >= before)
            {
                continue;
            }

            var reason = await DiagnoseAsync(db, d, cancellationToken);
            if (reason is null)
            {
                // Nothing wrong that can be named and the driver is up: try again rather than give up.
                await events.RecordAsync(d.Id, "StuckRetried", "stuck", $"{d.Status} for more than {options.Value.StuckAfter}; the driver is up, retrying", severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
                await services.GetRequiredService<JobQueue>().EnqueueAsync(
                    DeploymentJobs.Converge,
                    new ConvergePayload(d.Id, d.Generation, "stuck: retry"),
                    new EnqueueOptions(IdempotencyKey: $"deployment:{d.Id:N}:stuck:{clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"),
                    cancellationToken);
                d.StatusChangedAt = clock.GetStoredUtcNow();
            }
            else
            {
                await events.SetStatusAsync(d, DeploymentStatus.Failed, reason, cancellationToken);
                d.ObservedGeneration = d.Generation;
                await services.GetRequiredService<DeploymentNotifier>().NotifyAsync(d, reason, cancellationToken);
                LogStuck(logger, d.Id, reason);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Why a deployment is stuck, when it can be named: the driver is down, or the last start failure says why.</summary>
    private async Task<string?> DiagnoseAsync(PoddleDbContext db, Deployment d, CancellationToken cancellationToken)
    {
        if (drivers.Find(d.Driver) is not { } driver)
        {
            return $"driver down: {d.Driver} is not configured on this server";
        }

        DriverHealth health;
        try
        {
            health = await driver.CheckHealthAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            health = new DriverHealth(false, ex.Message);
        }

        if (!health.Available)
        {
            return $"driver down: {health.Detail}";
        }

        var lastFailure = await db.DeploymentEvents
            .Where(e => e.DeploymentId == d.Id && e.Type == "StartFailed")
            .OrderByDescending(e => e.LastSeenAt)
            .FirstOrDefaultAsync(cancellationToken);
        return lastFailure?.Reason switch
        {
            nameof(PodFailureKind.ImageNotFound) or nameof(PodFailureKind.InsufficientResources) or nameof(PodFailureKind.UnsupportedSpec) => lastFailure.Message,
            _ => null,
        };
    }

    private static Guid ParseId(string? value) => Guid.TryParseExact(value, "N", out var id) ? id : Guid.Empty;

    private static string Short(Replica replica) => ReplicaShortId.Of(replica.Id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId}: re-adopted replica {ReplicaId} (pod {PodId}) without restarting it")]
    private static partial void LogAdopted(ILogger logger, Guid deploymentId, Guid replicaId, string podId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId} was stuck and is failed: {Reason}")]
    private static partial void LogStuck(ILogger logger, Guid deploymentId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciler: driver {Driver} failed this pass")]
    private static partial void LogDriverFailed(ILogger logger, Exception exception, string driver);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciler: deployment {DeploymentId} failed this pass")]
    private static partial void LogDeploymentFailed(ILogger logger, Exception exception, Guid deploymentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciler: iteration failed; retrying after the interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);
}
