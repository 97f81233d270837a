using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Fleet;

/// <summary>
/// The fleet reconciliation (docs/fleet.md): on the leader only (<see cref="ControllerLeadership"/>), at start and every
/// <see cref="FleetOptions.ReconcileInterval"/>, every registered driver's pods with this installation's labels against
/// the database's replicas and pool workers. A pod no row owns is an <b>orphan</b>: a finding (event where its deployment
/// or pool still exists, log line, metric), one critical alert per driver (<c>orphans:{driver}</c>, "N orphaned pods
/// costing $X/hr" from the provider's cost per hour where the driver knows it, <see cref="IPodFleet"/>) resolved when
/// none is left, and — unless <see cref="FleetOptions.TerminateOrphans"/> is off — terminated once it has been an orphan
/// for <see cref="FleetOptions.OrphanGrace"/> and a fresh read of the database and the provider still says so.
/// A pod being created right now is never taken for one: both controllers save their row before they start its pod
/// (a replica Starting, a worker Spawning, with no pod id yet: such a row owns the pod its labels name), the listing is
/// taken before the rows are read, and a pod a live row names by its labels but not as its pod (a restart whose pod id
/// is saved when the start returns) or that an ending row names (its controller destroying it) counts as an orphan only
/// after the grace. Live rows whose pod is gone at the provider are findings too; the pool controller (woken at once) and
/// the deployment reconciler replace them. Also refreshes <see cref="PodCosts"/> and the per-owner spend.
/// </summary>
public sealed partial class FleetReconciler(
    IServiceScopeFactory scopes,
    PodDriverRegistry drivers,
    ControllerStore store,
    ControllerLeadership leadership,
    IAlertNotifier alerts,
    FleetMetrics metrics,
    PodCosts costs,
    IOptions<FleetOptions> options,
    IOptions<DeploymentOptions> deploymentOptions,
    TimeProvider clock,
    ILogger<FleetReconciler> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<(string Driver, string PodId), DateTimeOffset> _suspectSince = new();
    private readonly ConcurrentDictionary<(string Driver, string PodId), DateTimeOffset> _orphanSince = new();
    private readonly ConcurrentDictionary<(string Driver, string PodId), byte> _missing = new();
    private readonly ConcurrentDictionary<string, byte> _alerting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, decimal>> _ownerSpend = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>The alert key of a driver's orphans.</summary>
    public static string AlertKey(string driver) => $"orphans:{driver}";

    /// <summary>The alert's title: "3 orphaned pods costing $2.37/hr".</summary>
    public static string AlertTitle(int count, decimal? costPerHour)
    {
        var cost = costPerHour is { } perHour ? string.Create(CultureInfo.InvariantCulture, $"costing ${perHour:0.00}/hr") : "(cost unknown)";
        return string.Create(CultureInfo.InvariantCulture, $"{count} orphaned {(count == 1 ? "pod" : "pods")} {cost}");
    }

    /// <summary>One pass over every driver (a no-op on a server that is not the leader).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            return;
        }

        await _pass.WaitAsync(cancellationToken);
        try
        {
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

            metrics.OwnerSpend(_ownerSpend.Values.SelectMany(d => d).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal));
        }
        finally
        {
            _pass.Release();
        }
    }

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ControllerLoop.RunAsync(RunOnceAsync, () => options.Value.ReconcileInterval, clock, ex => LogIterationFailed(logger, ex), stoppingToken);

    private async Task ReconcileDriverAsync(IPodDriver driver, CancellationToken cancellationToken)
    {
        // The listing first, the rows after: a row is always written before its pod is started.
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [PodLabels.Owner] = await store.GetInstallationIdAsync(cancellationToken) };
        var listed = new List<PodHandle>();
        await foreach (var handle in driver.ListAsync(labels, cancellationToken))
        {
            listed.Add(handle);
        }

        await RefreshCostsAsync(driver, listed, cancellationToken);
        var listedIds = listed.Select(p => p.PodId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _suspectSince.Keys.Where(k => k.Driver == driver.Name && !listedIds.Contains(k.PodId)).ToList())
        {
            _suspectSince.TryRemove(gone, out _);
            _orphanSince.TryRemove(gone, out _);
        }

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PoddleDbContext>();
        var rows = await FleetRows.LoadAsync(db, driver.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var orphans = new List<PodHandle>();
        var ownerSpend = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var pod in listed)
        {
            var key = (driver.Name, pod.PodId);
            var kind = rows.Classify(pod);
            if (kind == FleetPodClass.Known)
            {
                _suspectSince.TryRemove(key, out _);
                _orphanSince.TryRemove(key, out _);
                if (costs.Get(driver.Name, pod.PodId) is { } cost && pod.Labels.TryGetValue(PodLabels.Tenant, out var owner))
                {
                    ownerSpend[owner] = ownerSpend.GetValueOrDefault(owner) + cost;
                }

                continue;
            }

            var since = _suspectSince.GetOrAdd(key, now);
            if (kind == FleetPodClass.Pending && now - since < options.Value.OrphanGrace)
            {
                continue;
            }

            orphans.Add(pod);
            if (_orphanSince.TryAdd(key, now))
            {
                await RecordAsync(db, driver, pod, FleetFindings.OrphanFound, OrphanMessage(driver, pod), cancellationToken);
                LogOrphanFound(logger, driver.Name, pod.PodId, options.Value.TerminateOrphans ? options.Value.OrphanGrace.ToString("c", CultureInfo.InvariantCulture) : "never (Fleet:TerminateOrphans is off)");
            }
        }

        _ownerSpend[driver.Name] = ownerSpend;
        var left = await TerminateDueAsync(driver, db, orphans, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await ReportMissingAsync(driver, db, services.GetService<Pools.PoolJobNotifier>(), rows, listedIds, cancellationToken);
        await AlertAsync(driver, left, cancellationToken);
    }

    /// <summary>Terminates the orphans past the grace that a fresh look still calls orphans; returns the ones left.</summary>
    private async Task<List<PodHandle>> TerminateDueAsync(IPodDriver driver, PoddleDbContext db, List<PodHandle> orphans, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var left = new List<PodHandle>();
        foreach (var pod in orphans)
        {
            var key = (driver.Name, pod.PodId);
            if (!options.Value.TerminateOrphans || now - _orphanSince.GetValueOrDefault(key, now) < options.Value.OrphanGrace)
            {
                left.Add(pod);
                continue;
            }

            // The re-check: the rows read again (a row may have claimed the pod since the listing) and the pod still there.
            FleetPodClass again;
            await using (var scope = scopes.CreateAsyncScope())
            {
                again = (await FleetRows.LoadAsync(scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), driver.Name, cancellationToken)).Classify(pod);
            }

            if (again == FleetPodClass.Known)
            {
                _suspectSince.TryRemove(key, out _);
                _orphanSince.TryRemove(key, out _);
                continue;
            }

            // Attached first: a driver inspects only pods this process started or recovered (an orphan is neither).
            await driver.RecoverAsync(pod, cancellationToken);
            if ((await driver.InspectAsync(pod, cancellationToken)).State == PodState.NotFound)
            {
                _suspectSince.TryRemove(key, out _);
                _orphanSince.TryRemove(key, out _);
                continue;
            }

            try
            {
                await driver.StopAsync(pod, deploymentOptions.Value.StopGracePeriod, cancellationToken);
                await driver.DestroyAsync(pod, cancellationToken);
            }
            catch (PodDriverException ex)
            {
                LogTerminateFailed(logger, ex, driver.Name, pod.PodId);
                left.Add(pod);
                continue;
            }

            _suspectSince.TryRemove(key, out _);
            _orphanSince.TryRemove(key, out _);
            await RecordAsync(db, driver, pod, FleetFindings.OrphanTerminated, $"orphan pod {pod.PodId} on {driver.Name} terminated after {options.Value.OrphanGrace}", cancellationToken);
            LogOrphanTerminated(logger, driver.Name, pod.PodId);
        }

        return left;
    }

    /// <summary>Live rows whose pod the provider no longer has: a finding, once per pod; the pool's pass runs at once.</summary>
    private async Task ReportMissingAsync(IPodDriver driver, PoddleDbContext db, Pools.PoolJobNotifier? notifier, FleetRows rows, HashSet<string> listedIds, CancellationToken cancellationToken)
    {
        foreach (var row in rows.LiveWithPod.Where(r => !listedIds.Contains(r.PodId)))
        {
            var key = (driver.Name, row.PodId);
            var handle = new PodHandle(driver.Name, row.PodId, row.StateVersion, row.DriverState, row.Labels);
            if (_missing.ContainsKey(key) || (await driver.InspectAsync(handle, cancellationToken)).State != PodState.NotFound)
            {
                continue;
            }

            _missing[key] = 0;
            var worker = row.Kind == Pools.Runtime.PoolWorkerPods.PodKind;
            var finding = worker ? FleetFindings.WorkerPodMissing : FleetFindings.ReplicaPodMissing;
            metrics.Found(driver.Name, finding);
            LogPodMissing(logger, driver.Name, row.PodId, row.Kind, row.Id, row.Replica);
            if (worker)
            {
                db.Set<Pools.Runtime.PoolEvent>().Add(new Pools.Runtime.PoolEvent
                {
                    Id = Guid.NewGuid(),
                    PoolId = row.Id,
                    At = clock.GetUtcNow(),
                    Kind = Pools.Runtime.PoolEventKinds.Fleet,
                    WorkerId = row.Replica,
                    Reason = finding,
                    Message = $"worker {row.Replica}: pod {row.PodId} is gone at {driver.Name}; the worker is replaced",
                });
                await db.SaveChangesAsync(cancellationToken);
                notifier?.PoolChanged(row.Id);
            }
        }

        foreach (var key in _missing.Keys.Where(k => k.Driver == driver.Name && !rows.LiveWithPod.Any(r => r.PodId == k.PodId)).ToList())
        {
            _missing.TryRemove(key, out _);
        }
    }

    private async Task AlertAsync(IPodDriver driver, List<PodHandle> orphans, CancellationToken cancellationToken)
    {
        var known = orphans.Select(p => costs.Get(driver.Name, p.PodId)).Where(c => c is not null).Sum(c => c!.Value);
        var anyCost = driver is IPodFleet || orphans.Any(p => costs.Get(driver.Name, p.PodId) is not null);
        metrics.Orphans(driver.Name, orphans.Count, known);
        if (orphans.Count > 0 && _alerting.TryAdd(driver.Name, 0))
        {
            var action = options.Value.TerminateOrphans ? $"terminated after {options.Value.OrphanGrace} unless claimed" : "not terminated (Fleet:TerminateOrphans is off)";
            var message = $"Pods on {driver.Name} carry this installation's labels but no replica or worker owns them ({action}): "
                + string.Join(", ", orphans.Select(p => p.PodId));
            await alerts.RaiseAsync(new Alert(AlertKey(driver.Name), AlertLevel.Critical, AlertTitle(orphans.Count, anyCost ? known : null), message, null), cancellationToken);
        }
        else if (orphans.Count == 0 && _alerting.TryRemove(driver.Name, out _))
        {
            await alerts.ResolveAsync(AlertKey(driver.Name), cancellationToken);
        }
    }

    private async Task RefreshCostsAsync(IPodDriver driver, List<PodHandle> listed, CancellationToken cancellationToken)
    {
        if (driver is not IPodFleet fleet)
        {
            return;
        }

        try
        {
            var ids = listed.Select(p => p.PodId).ToHashSet(StringComparer.Ordinal);
            foreach (var pod in await fleet.ListFleetAsync(cancellationToken))
            {
                if (ids.Contains(pod.Id) && pod.CostPerHour is { } cost)
                {
                    costs.Set(driver.Name, pod.Id, pod.State == PodState.Running || pod.State == PodState.Pending ? cost : 0m);
                }
            }

            costs.Retain(driver.Name, ids);
        }
        catch (PodDriverException ex)
        {
            // Costs stay as last seen; the orphans are still found.
            LogCostsFailed(logger, ex, driver.Name);
        }
    }

    /// <summary>The finding as a metric and, where the pod's deployment or pool still exists, as its event.</summary>
    private async Task RecordAsync(PoddleDbContext db, IPodDriver driver, PodHandle pod, string finding, string message, CancellationToken cancellationToken)
    {
        metrics.Found(driver.Name, finding);
        if (!Guid.TryParseExact(pod.Labels.GetValueOrDefault(PodLabels.Id), "N", out var id))
        {
            return;
        }

        switch (pod.Labels.GetValueOrDefault(PodLabels.Kind))
        {
            case ReplicaPods.PodKind when await db.Deployments.FindAsync([id], cancellationToken) is not null:
                await new DeploymentEventRecorder(db, new DeploymentAlerts(alerts), clock).RecordAsync(
                    id,
                    finding == FleetFindings.OrphanFound ? "OrphanFound" : "OrphanRemoved",
                    "orphan pod",
                    message,
                    severity: DeploymentEventRecorder.Warning,
                    cancellationToken: cancellationToken);
                break;
            case Pools.Runtime.PoolWorkerPods.PodKind when await db.Pools.FindAsync([id], cancellationToken) is not null:
                db.Set<Pools.Runtime.PoolEvent>().Add(new Pools.Runtime.PoolEvent
                {
                    Id = Guid.NewGuid(),
                    PoolId = id,
                    At = clock.GetUtcNow(),
                    Kind = Pools.Runtime.PoolEventKinds.Fleet,
                    WorkerId = pod.Labels.GetValueOrDefault(PodLabels.Replica),
                    Reason = finding,
                    Message = message,
                });
                break;
        }
    }

    private string OrphanMessage(IPodDriver driver, PodHandle pod) =>
        $"pod {pod.PodId} on {driver.Name} belongs to no live replica or worker; "
        + (options.Value.TerminateOrphans ? $"terminating it after {options.Value.OrphanGrace}" : "left running (Fleet:TerminateOrphans is off)");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orphan pod {PodId} on driver {Driver}: labelled as this installation's, no live replica or worker; terminating after {Grace}")]
    private static partial void LogOrphanFound(ILogger logger, string driver, string podId, string grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orphan pod {PodId} on driver {Driver} terminated")]
    private static partial void LogOrphanTerminated(ILogger logger, string driver, string podId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orphan pod {PodId} on driver {Driver} could not be terminated; tried again next pass")]
    private static partial void LogTerminateFailed(ILogger logger, Exception ex, string driver, string podId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {PodId} on driver {Driver} is gone at the provider ({Kind} {Id}, {Replica}); it is replaced")]
    private static partial void LogPodMissing(ILogger logger, string driver, string podId, string kind, Guid id, string replica);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fleet: the costs of driver {Driver}'s pods could not be read this pass")]
    private static partial void LogCostsFailed(ILogger logger, Exception ex, string driver);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fleet: driver {Driver} failed this pass")]
    private static partial void LogDriverFailed(ILogger logger, Exception ex, string driver);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fleet: iteration failed; retrying after the interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception ex);
}
