using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Scaling;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// One pass of the pool controller over one pool (scoped: one unit of work): observes its workers (pod exited, silent
/// past its liveness deadline, took or finished a job, asked to stop) and moves them, builds the <see cref="PoolSnapshot"/>
/// from the database and the <see cref="PoolScalingPolicy"/> from the pool's knobs, asks the pool's
/// <see cref="ScalingEngine"/>, and acts on the decision: spawns workers, drains idle ones. Returns when the pool needs
/// its next pass at the latest (the decision's RecheckAt, the nearest liveness deadline). Runs only on the leader
/// (<see cref="PoolController"/>), so the workers it counts are every server's and MaxWorkers holds across servers.
/// </summary>
public sealed partial class PoolControllerStep(
    PoddleDbContext db,
    PoolJobService jobs,
    PoolWorkerProtocol protocol,
    PoolWorkerPods pods,
    PoolWorkerRecorder recorder,
    PodDriverRegistry drivers,
    ScalingEngines engines,
    PoolMetrics metrics,
    PoolAlerts alerts,
    PodCosts costs,
    PoolSpendMetrics spendMetrics,
    IAlertNotifier notifier,
    IOptions<PoolOptions> poolOptions,
    IOptions<PoolControllerOptions> options,
    TimeProvider clock,
    ILogger<PoolControllerStep> logger)
{
    /// <summary>
    /// After a worker failed to start, the pool starts no other for this long (a broken spec would otherwise start one on
    /// every event); each further failure in a row doubles it, up to <see cref="MaxStartRetryDelay"/>.
    /// </summary>
    public static readonly TimeSpan StartRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>The longest back-off after start failures in a row (a capacity drought that lasts hours).</summary>
    public static readonly TimeSpan MaxStartRetryDelay = TimeSpan.FromMinutes(10);

    /// <summary>How many of the latest starts the back-off looks at (enough to reach <see cref="MaxStartRetryDelay"/>).</summary>
    private const int StartsConsidered = 6;

    /// <summary>
    /// The pass. <paramref name="stopRequested"/>: workers that asked to be recycled (RunPod's stopPod);
    /// <paramref name="recovered"/>: workers whose pods this server has re-attached to since it started (the pass adds
    /// the ones it recovers); <paramref name="controllingSince"/>: when this server became the controller (a worker's
    /// silence counts from then at the earliest).
    /// </summary>
    public async Task<DateTimeOffset?> RunAsync(Guid poolId, IReadOnlySet<string> stopRequested, ISet<string> recovered, DateTimeOffset controllingSince, CancellationToken cancellationToken)
    {
        var pool = await db.Pools.AsNoTracking().FirstOrDefaultAsync(p => p.Id == poolId, cancellationToken);
        if (pool is null)
        {
            engines.Remove(poolId.ToString());
            metrics.Forget(poolId.ToString());
            spendMetrics.Forget(poolId.ToString());
            return null;
        }

        if (drivers.Find(pool.Driver) is not { } driver)
        {
            LogNoDriver(logger, poolId, pool.Driver);
            return null;
        }

        await jobs.TimeOutOverdueAsync(poolId, cancellationToken);
        db.ChangeTracker.Clear();
        var next = await ObserveAsync(pool, driver, stopRequested, recovered, controllingSince, cancellationToken);
        if (pool.SuspendedAt is not null)
        {
            // Billing suspended the owner: no decision, every worker ends (a job it held goes back to the queue).
            await StopAllAsync(driver, pool.Id, cancellationToken);
            return null;
        }

        var decision = await DecideAsync(pool, cancellationToken);
        var startBlockedUntil = await StartBlockedUntilAsync(pool.Id, cancellationToken);
        await ActAsync(pool, driver, decision, startBlockedUntil is null, cancellationToken);
        return Earliest(Earliest(next, decision.RecheckAt), decision.Spawn > 0 ? startBlockedUntil : null);
    }

    /// <summary>
    /// Moves each live worker after what it did; returns the nearest liveness deadline. Silence counts from
    /// <paramref name="controllingSince"/> at the earliest: while no server listened (a restart, a SIGKILL, a new leader
    /// taking over) a worker could not ping, and losing it then would stop its job mid-way and run it again.
    /// </summary>
    private async Task<DateTimeOffset?> ObserveAsync(Pool pool, IPodDriver driver, IReadOnlySet<string> stopRequested, ISet<string> recovered, DateTimeOffset controllingSince, CancellationToken cancellationToken)
    {
        var live = await LiveWorkersAsync(pool.Id, cancellationToken);
        var seen = await db.Set<PoolWorkerKey>().AsNoTracking().Where(k => k.PoolId == pool.Id).ToDictionaryAsync(k => k.WorkerId, k => k.LastSeenAt, cancellationToken);
        var holding = await HoldingAsync(pool.Id, cancellationToken);
        await RequeueFromEndedWorkersAsync(pool.Id, holding, live, cancellationToken);
        DateTimeOffset? next = null;
        var now = clock.GetUtcNow();
        foreach (var worker in live)
        {
            if (seen.GetValueOrDefault(worker.WorkerId) is { } heard && (worker.LastPingAt is null || heard > worker.LastPingAt))
            {
                worker.LastPingAt = heard;
            }

            var state = WorkerStates.Parse(worker.State) ?? WorkerState.Failed;
            if (state == WorkerState.Spawning)
            {
                // Left behind by a pass that died while starting its pod: whatever was started is swept as an orphan.
                await LoseAsync(pool, driver, worker, WorkerTransitionReasons.StartFailed, cancellationToken);
                continue;
            }

            if (await pods.HandleAsync(worker, cancellationToken) is { } handle)
            {
                if (recovered.Add(worker.WorkerId))
                {
                    await driver.RecoverAsync(handle, cancellationToken);
                }

                var status = await driver.InspectAsync(handle, cancellationToken);
                if (status.State is PodState.Exited or PodState.NotFound)
                {
                    await LoseAsync(pool, driver, worker, WorkerTransitionReasons.Exited, cancellationToken);
                    continue;
                }
            }

            var deadline = worker.LastPingAt is { } last
                ? WorkerLiveness.LostAt(Latest(last, controllingSince), poolOptions.Value.PingInterval)
                : Latest(worker.CreatedAt, controllingSince) + options.Value.StartTimeout;
            if (now >= deadline)
            {
                await LoseAsync(pool, driver, worker, WorkerTransitionReasons.Silent, cancellationToken);
                continue;
            }

            next = Earliest(next, deadline);
            var holds = holding.Contains(worker.WorkerId);
            switch (state)
            {
                case WorkerState.Initializing when holds:
                    recorder.Move(worker, WorkerState.Running, WorkerTransitionReasons.FirstPoll);
                    break;
                case WorkerState.Initializing when worker.LastPingAt is not null:
                    recorder.Move(worker, WorkerState.Idle, WorkerTransitionReasons.FirstPoll);
                    break;
                case WorkerState.Idle when holds:
                    recorder.Move(worker, WorkerState.Running, WorkerTransitionReasons.JobTaken);
                    break;
                case WorkerState.Running when !holds:
                    recorder.Move(worker, WorkerState.Idle, WorkerTransitionReasons.JobFinished);
                    break;
            }

            if (worker.State == WorkerStates.Idle && stopRequested.Contains(worker.WorkerId))
            {
                recorder.Move(worker, WorkerState.Draining, WorkerTransitionReasons.StopRequested);
            }

            if (worker.State == WorkerStates.Draining && !holds)
            {
                await TerminateAsync(driver, worker, cancellationToken);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return next;
    }

    /// <summary>The decision for now, reported to the metrics and stored as an event when it acts or differs from the last one.</summary>
    private async Task<ScalingDecision> DecideAsync(Pool pool, CancellationToken cancellationToken)
    {
        var live = await LiveWorkersAsync(pool.Id, cancellationToken);
        var queue = await db.PoolJobs.AsNoTracking()
            .Where(j => j.PoolId == pool.Id && (j.Status == PoolJobStatuses.InQueue || j.Status == PoolJobStatuses.InProgress))
            .GroupBy(j => j.Status)
            .Select(g => new { Status = g.Key, Count = g.Count(), Oldest = g.Min(j => j.QueuedAt) })
            .ToListAsync(cancellationToken);
        var queued = queue.FirstOrDefault(q => q.Status == PoolJobStatuses.InQueue);
        var inProgress = queue.FirstOrDefault(q => q.Status == PoolJobStatuses.InProgress)?.Count ?? 0;
        var now = clock.GetUtcNow();
        var oldestWait = queued is null ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (now - queued.Oldest).Ticks));
        var views = live.Select(w =>
        {
            var state = WorkerStates.Parse(w.State) ?? WorkerState.Failed;
            return new PoolWorkerView(w.WorkerId, state, state == WorkerState.Idle ? w.StateChangedAt : null);
        }).ToList();
        var (spend, perWorker) = Spend(pool, live);
        var snapshot = new PoolSnapshot(queued?.Count ?? 0, oldestWait, inProgress, views, SpendPerHour: spend, CostPerWorker: perWorker);
        PoolScaler scaler = pool.ScalerType == PoolScalerTypes.RequestCount
            ? new RequestCountScaler(pool.ScalerValue)
            : new QueueDelayScaler(TimeSpan.FromSeconds(pool.ScalerValue));
        var policy = new PoolScalingPolicy(
            pool.MinWorkers,
            pool.MaxWorkers,
            scaler,
            TimeSpan.FromSeconds(pool.IdleTimeoutSeconds),
            TimeSpan.FromSeconds(pool.ScaleUpWindowSeconds),
            TimeSpan.FromSeconds(pool.ScaleDownWindowSeconds),
            pool.BudgetPerHour);
        var decision = engines.For(pool.Id.ToString()).Decide(policy, snapshot);
        metrics.Configured(pool.Id.ToString(), policy);
        metrics.Decided(pool.Id.ToString(), decision);
        await ReportSpendAsync(pool, spend, cancellationToken);

        var last = await db.Set<PoolEvent>().AsNoTracking()
            .Where(e => e.PoolId == pool.Id && e.Kind == PoolEventKinds.Decision)
            .OrderByDescending(e => e.At)
            .Select(e => new { e.Reason, e.Message })
            .FirstOrDefaultAsync(cancellationToken);
        recorder.Decided(pool.Id, decision, out var message);
        if (!decision.Acts && last is not null && last.Reason == decision.Rule && last.Message == message)
        {
            // The same "no change" as last time: not stored again (the periodic tick would fill the history with it).
            db.ChangeTracker.Clear();
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
            LogDecided(logger, pool.Id, decision.Rule, decision.CurrentWorkers, decision.DesiredWorkers, decision.Spawn, decision.Drain.Count);
        }

        return decision;
    }

    private async Task ActAsync(Pool pool, IPodDriver driver, ScalingDecision decision, bool mayStart, CancellationToken cancellationToken)
    {
        for (var i = 0; mayStart && i < decision.Spawn; i++)
        {
            mayStart = await SpawnAsync(pool, driver, cancellationToken);
        }

        if (decision.Drain.Count > 0)
        {
            var live = await LiveWorkersAsync(pool.Id, cancellationToken);
            foreach (var worker in live.Where(w => decision.Drain.Contains(w.WorkerId) && w.State == WorkerStates.Idle))
            {
                recorder.Move(worker, WorkerState.Draining, WorkerTransitionReasons.ScaledDown);
                await db.SaveChangesAsync(cancellationToken);
                await TerminateAsync(driver, worker, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        await TrimEventsAsync(pool.Id, cancellationToken);
    }

    /// <summary>
    /// Starts one worker; false when it could not start. A GPU pool's worker goes to the first of its GPU and cloud types
    /// the provider has a machine for (<see cref="PoolWorkerPods.StartAsync"/>); a fallback and a start that found
    /// capacity nowhere are events (<see cref="PoolEventKinds.Capacity"/>) naming what was tried, the latter with the
    /// back-off before the next try (<see cref="StartBlockedUntilAsync"/>).
    /// </summary>
    private async Task<bool> SpawnAsync(Pool pool, IPodDriver driver, CancellationToken cancellationToken)
    {
        // The row first (spawning), so a pass that dies while the pod starts leaves a trace to clean up.
        var worker = recorder.Spawning(pool.Id, pool.Driver);
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            var start = await pods.StartAsync(driver, pool, worker, cancellationToken);
            await LearnCostAsync(driver, worker, cancellationToken);
            recorder.Move(worker, WorkerState.Initializing, WorkerTransitionReasons.PodStarted);
            if (start is { Placement: { } placement, Refused.Count: > 0 })
            {
                recorder.Capacity(pool.Id, worker.WorkerId, CapacityReasons.FellBack, $"started on {placement}; no capacity at {string.Join(", ", start.Refused)}");
            }

            metrics.WorkersSpawned(pool.Id.ToString());
            LogSpawned(logger, worker.WorkerId, pool.Id, driver.Name);
            await db.SaveChangesAsync(cancellationToken);
            await alerts.SpawnedAsync(pool.Id, cancellationToken);
            return true;
        }
        catch (PodDriverException ex) when (ex.Kind == PodFailureKind.NoCapacity)
        {
            LogNoCapacity(logger, worker.WorkerId, pool.Id, ex.Message);
            recorder.Move(worker, WorkerState.Failed, WorkerTransitionReasons.NoCapacity);
            metrics.WorkerFailed(pool.Id.ToString(), WorkerTransitionReasons.NoCapacity);
            await protocol.RevokeWorkerAsync(worker.WorkerId, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            var retryAt = await StartBlockedUntilAsync(pool.Id, cancellationToken);
            var wait = retryAt is { } at ? at - clock.GetUtcNow() : TimeSpan.Zero;
            recorder.Capacity(pool.Id, worker.WorkerId, CapacityReasons.Exhausted, $"{ex.Message}; next try in {(int)Math.Ceiling(wait.TotalSeconds)} s");
            await alerts.SpawnFailedAsync(pool, ex, cancellationToken);
        }
        catch (Exception ex) when (ex is PodDriverException or InvalidOperationException)
        {
            LogStartFailed(logger, ex, worker.WorkerId, pool.Id);
            recorder.Move(worker, WorkerState.Failed, WorkerTransitionReasons.StartFailed);
            metrics.WorkerFailed(pool.Id.ToString(), WorkerTransitionReasons.StartFailed);
            await protocol.RevokeWorkerAsync(worker.WorkerId, cancellationToken);
            await alerts.SpawnFailedAsync(pool, ex, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return false;
    }

    /// <summary>A worker that is lost (pod exited, silent, never started): failed, key revoked, its jobs re-queued, its pod ended.</summary>
    private async Task LoseAsync(Pool pool, IPodDriver driver, PoolWorker worker, string reason, CancellationToken cancellationToken)
    {
        recorder.Move(worker, WorkerState.Failed, reason);
        metrics.WorkerFailed(pool.Id.ToString(), reason);
        LogLost(logger, worker.WorkerId, pool.Id, reason);
        await db.SaveChangesAsync(cancellationToken);
        await protocol.RevokeWorkerAsync(worker.WorkerId, cancellationToken);
        await protocol.RequeueJobsOfAsync(worker.WorkerId, cancellationToken);
        await EndPodAsync(driver, worker, cancellationToken);
    }

    /// <summary>Ends every live worker of a suspended pool (billing); its queued jobs wait for the resume or their ttl.</summary>
    private async Task StopAllAsync(IPodDriver driver, Guid poolId, CancellationToken cancellationToken)
    {
        foreach (var worker in await LiveWorkersAsync(poolId, cancellationToken))
        {
            if (WorkerStates.Parse(worker.State) is WorkerState.Initializing or WorkerState.Idle or WorkerState.Running or WorkerState.Draining)
            {
                await TerminateAsync(driver, worker, cancellationToken);
            }
        }
    }

    /// <summary>A draining worker holding no job: terminating, key revoked (a job it took meanwhile goes back), pod ended, terminated.</summary>
    private async Task TerminateAsync(IPodDriver driver, PoolWorker worker, CancellationToken cancellationToken)
    {
        recorder.Move(worker, WorkerState.Terminating, WorkerTransitionReasons.Stopped);
        await db.SaveChangesAsync(cancellationToken);
        await protocol.RevokeWorkerAsync(worker.WorkerId, cancellationToken);
        await protocol.RequeueJobsOfAsync(worker.WorkerId, cancellationToken);
        await EndPodAsync(driver, worker, cancellationToken);
        recorder.Move(worker, WorkerState.Terminated, WorkerTransitionReasons.Stopped);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task EndPodAsync(IPodDriver driver, PoolWorker worker, CancellationToken cancellationToken)
    {
        try
        {
            await pods.EndAsync(driver, worker, cancellationToken);
        }
        catch (PodDriverException ex)
        {
            // The orphan sweep tries again: a pod whose worker ended is destroyed on the next full pass.
            LogEndFailed(logger, ex, worker.WorkerId);
        }
    }

    /// <summary>
    /// Jobs still held by a worker that has ended (a take that raced its revocation, a pass that died between the
    /// worker's failure and the re-queue): back to the queue. Workers without a row (started by hand through the
    /// protocol) are not the controller's.
    /// </summary>
    private async Task RequeueFromEndedWorkersAsync(Guid poolId, HashSet<string> holding, List<PoolWorker> live, CancellationToken cancellationToken)
    {
        var candidates = holding.Where(id => !live.Any(w => w.WorkerId == id)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var ended = await db.Set<PoolWorker>().AsNoTracking()
            .Where(w => w.PoolId == poolId && candidates.Contains(w.WorkerId))
            .Select(w => w.WorkerId)
            .ToListAsync(cancellationToken);
        foreach (var workerId in ended)
        {
            await protocol.RequeueJobsOfAsync(workerId, cancellationToken);
            holding.Remove(workerId);
        }
    }

    /// <summary>
    /// When the pool may start workers again after its latest start failures; null when it may now. The back-off is
    /// exponential in the failures in a row (the latest starts that failed, counted back to the last one that started):
    /// <see cref="StartRetryDelay"/> after one, doubled after each further one, capped at <see cref="MaxStartRetryDelay"/>,
    /// so a drought costs one try per back-off, not a try per pass.
    /// </summary>
    private async Task<DateTimeOffset?> StartBlockedUntilAsync(Guid poolId, CancellationToken cancellationToken)
    {
        var latest = await db.Set<PoolWorker>().AsNoTracking()
            .Where(w => w.PoolId == poolId)
            .OrderByDescending(w => w.CreatedAt)
            .Take(StartsConsidered)
            .Select(w => new { w.Reason, w.State, w.StateChangedAt })
            .ToListAsync(cancellationToken);
        var failures = latest.TakeWhile(w => w.State == WorkerStates.Failed && w.Reason is WorkerTransitionReasons.StartFailed or WorkerTransitionReasons.NoCapacity).ToList();
        if (failures.Count == 0)
        {
            return null;
        }

        var delay = TimeSpan.FromTicks(Math.Min(StartRetryDelay.Ticks << (failures.Count - 1), MaxStartRetryDelay.Ticks));
        var until = failures[0].StateChangedAt + delay;
        return until > clock.GetUtcNow() ? until : null;
    }

    /// <summary>
    /// What the pool's live workers' pods cost per hour (the providers' last known cost per hour, <see cref="PodCosts"/>),
    /// a worker whose pod's cost is not known yet counted at the mean of the known ones; and that mean (null when none is known).
    /// </summary>
    private (decimal Spend, decimal? PerWorker) Spend(Pool pool, List<PoolWorker> live)
    {
        var known = live.Select(w => w.PodId is null ? null : costs.Get(pool.Driver, w.PodId)).ToList();
        var values = known.OfType<decimal>().ToList();
        if (values.Count == 0)
        {
            return (0m, null);
        }

        var mean = values.Average();
        return (values.Sum() + (mean * (known.Count - values.Count)), mean);
    }

    /// <summary>The pool's spend as metrics, and its budget alert (<c>pool:{id}:budget</c>, warning) raised once when reached and resolved when under it again.</summary>
    private async Task ReportSpendAsync(Pool pool, decimal spend, CancellationToken cancellationToken)
    {
        var reached = pool.BudgetPerHour is { } budget && spend >= budget;
        var was = spendMetrics.Report(pool.Id.ToString(), spend, reached);
        var key = BudgetAlertKey(pool.Id);
        if (reached && was != true)
        {
            var title = string.Create(CultureInfo.InvariantCulture, $"Pool {pool.Name} reached its budget of ${pool.BudgetPerHour:0.00}/hr");
            var message = string.Create(CultureInfo.InvariantCulture, $"Its running pods cost ${spend:0.00}/hr; no more workers are started until they cost less (budgetPerHour).");
            await notifier.RaiseAsync(new Alert(key, AlertLevel.Warning, title, message, pool.OwnerId), cancellationToken);
        }
        else if (!reached && was == true)
        {
            await notifier.ResolveAsync(key, cancellationToken);
        }
    }

    /// <summary>The alert key of a pool's budget.</summary>
    public static string BudgetAlertKey(Guid poolId) => $"pool:{poolId}:budget";

    /// <summary>A new worker's pod cost per hour, where the driver knows costs (so the budget counts it before the next fleet pass).</summary>
    private async Task LearnCostAsync(IPodDriver driver, PoolWorker worker, CancellationToken cancellationToken)
    {
        if (driver is not IPodFleet fleet || worker.PodId is null)
        {
            return;
        }

        try
        {
            if (await fleet.GetFleetPodAsync(worker.PodId, cancellationToken) is { CostPerHour: { } cost })
            {
                costs.Set(driver.Name, worker.PodId, cost);
            }
        }
        catch (PodDriverException ex)
        {
            LogCostUnknown(logger, ex, worker.WorkerId);
        }
    }

    private Task<List<PoolWorker>> LiveWorkersAsync(Guid poolId, CancellationToken cancellationToken) =>
        db.Set<PoolWorker>()
            .Where(w => w.PoolId == poolId && w.State != WorkerStates.Terminated && w.State != WorkerStates.Failed)
            .OrderBy(w => w.CreatedAt)
            .ToListAsync(cancellationToken);

    private async Task<HashSet<string>> HoldingAsync(Guid poolId, CancellationToken cancellationToken) =>
        [.. await db.PoolJobs.AsNoTracking()
            .Where(j => j.PoolId == poolId && j.Status == PoolJobStatuses.InProgress && j.WorkerId != null)
            .Select(j => j.WorkerId!)
            .Distinct()
            .ToListAsync(cancellationToken)];

    /// <summary>Keeps the pool's newest <see cref="PoolControllerOptions.EventsKept"/> events.</summary>
    private async Task TrimEventsAsync(Guid poolId, CancellationToken cancellationToken)
    {
        var cutoff = await db.Set<PoolEvent>().AsNoTracking()
            .Where(e => e.PoolId == poolId)
            .OrderByDescending(e => e.At)
            .Skip(options.Value.EventsKept)
            .Select(e => (DateTimeOffset?)e.At)
            .FirstOrDefaultAsync(cancellationToken);
        if (cutoff is { } at)
        {
            await db.Set<PoolEvent>().Where(e => e.PoolId == poolId && e.At <= at).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool {PoolId}: no driver named {Driver} on this server; its workers are not managed")]
    private static partial void LogNoDriver(ILogger logger, Guid poolId, string driver);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} of pool {PoolId} not started: {Detail}")]
    private static partial void LogNoCapacity(ILogger logger, string workerId, Guid poolId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {PoolId}: {Rule}, {Current} → {Desired} workers (spawn {Spawn}, drain {Drain})")]
    private static partial void LogDecided(ILogger logger, Guid poolId, string rule, int current, int desired, int spawn, int drain);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} of pool {PoolId} started on {Driver}")]
    private static partial void LogSpawned(ILogger logger, string workerId, Guid poolId, string driver);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} of pool {PoolId} could not start")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string workerId, Guid poolId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} of pool {PoolId} lost: {Reason}")]
    private static partial void LogLost(ILogger logger, string workerId, Guid poolId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: its pod's cost per hour could not be read; the next fleet pass reads it")]
    private static partial void LogCostUnknown(ILogger logger, Exception ex, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: its pod could not be ended; the next full pass tries again")]
    private static partial void LogEndFailed(ILogger logger, Exception ex, string workerId);
}
