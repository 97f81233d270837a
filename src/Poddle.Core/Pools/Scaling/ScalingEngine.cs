namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// Decides how many workers one pool should have, from its <see cref="PoolScalingPolicy"/> and a
/// <see cref="PoolSnapshot"/>, at the <see cref="TimeProvider"/>'s time. Modelled on RunPod serverless (min/max, queue
/// delay or request count, idle timeout, scale to zero, min kept warm) and on the Kubernetes HPA's stabilization
/// windows (scale up to the lowest recommendation of the up window, down to the highest of the down window).
/// One instance per pool: it remembers the recent recommendations the windows need, nothing else. Cheap
/// (O(workers), amortized O(1) for the windows) and deterministic, so an event-driven caller can call it on every new
/// job, finished job and failed worker, plus a tick at <see cref="ScalingDecision.RecheckAt"/>. Thread-safe.
/// </summary>
public sealed class ScalingEngine(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly RecommendationWindow _up = new(lowest: true);
    private readonly RecommendationWindow _down = new(lowest: false);

    /// <summary>The decision for now. Throws <see cref="ArgumentException"/> for a policy that breaks its invariants (the
    /// caller validates pools before they reach the engine).</summary>
    public ScalingDecision Decide(PoolScalingPolicy policy, PoolSnapshot snapshot)
    {
        Check(policy);
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = time.GetUtcNow();
        var workers = Count(snapshot.Workers);
        var current = workers.Starting + workers.Idle + workers.Busy;

        var (raw, rule) = Recommend(policy.Scaler, snapshot, workers);
        var recommended = Math.Clamp(raw, policy.MinWorkers, policy.MaxWorkers);
        if (recommended > raw)
        {
            rule = ScalingRules.MinWorkers;
        }
        else if (recommended < raw)
        {
            rule = ScalingRules.MaxWorkers;
        }

        int upBound, downBound;
        DateTimeOffset? upExpires, downExpires;
        lock (_lock)
        {
            upBound = _up.Add(now, recommended, policy.ScaleUpWindow);
            downBound = _down.Add(now, recommended, policy.ScaleDownWindow);
            upExpires = _up.ExtremeExpiresAt(policy.ScaleUpWindow);
            downExpires = _down.ExtremeExpiresAt(policy.ScaleDownWindow);
        }

        // The HPA's stabilization: go up no further than the window's lowest recommendation, down no further than its
        // highest; between the two, stay.
        var desired = current;
        if (desired < upBound)
        {
            desired = upBound;
        }

        if (desired > downBound)
        {
            desired = downBound;
        }

        desired = Math.Clamp(desired, policy.MinWorkers, policy.MaxWorkers);
        if (desired < recommended && current < recommended)
        {
            rule = ScalingRules.ScaleUpWindow;
        }
        else if (desired > recommended && current > recommended)
        {
            rule = ScalingRules.ScaleDownWindow;
        }

        var spawn = Math.Max(0, desired - current);
        if (spawn > 0 && Affordable(policy, snapshot, spawn) is var affordable && affordable < spawn)
        {
            // The budget holds scale-ups only: workers already running are never drained for it.
            spawn = affordable;
            desired = current + spawn;
            rule = ScalingRules.BudgetReached;
        }

        IReadOnlyList<string> drain = [];
        DateTimeOffset? nextIdleTimeout = null;
        if (desired < current)
        {
            (drain, nextIdleTimeout) = PickIdle(snapshot.Workers, current - desired, policy.IdleTimeout, now);
            if (drain.Count == 0)
            {
                rule = ScalingRules.IdleTimeout;
            }
        }

        var recheck = Earliest(now,
            nextIdleTimeout,
            desired < recommended ? upExpires : null,
            desired > recommended ? downExpires : null,
            QueueDelayDeadline(policy.Scaler, snapshot, now));
        var inputs = new ScalingInputs(
            snapshot.QueuedJobs, snapshot.OldestQueuedWait, snapshot.InProgressJobs,
            workers.Starting, workers.Idle, workers.Busy, workers.Draining, recommended, upBound, downBound);
        return new ScalingDecision(now, current, desired, spawn, drain, rule, inputs, recheck);
    }

    private static (int Workers, string Rule) Recommend(PoolScaler scaler, PoolSnapshot snapshot, WorkerCounts workers)
    {
        var queued = Math.Max(0, snapshot.QueuedJobs);
        switch (scaler)
        {
            case RequestCountScaler count:
                // RunPod's formula: ceil((requestsInQueue + requestsInProgress) / n).
                var jobs = (long)queued + Math.Max(0, snapshot.InProgressJobs);
                return ((int)Math.Min(int.MaxValue, (jobs + count.JobsPerWorker - 1) / count.JobsPerWorker), ScalingRules.RequestCount);

            case QueueDelayScaler delay:
                if (queued == 0)
                {
                    return (workers.Busy, ScalingRules.QueueEmpty);
                }

                if (snapshot.OldestQueuedWait >= delay.Target)
                {
                    return (Add(workers.Busy, queued), ScalingRules.QueueDelayExceeded);
                }

                // Idle and starting workers will take queued jobs: keep them (up to one per job), and at least one.
                var coming = Math.Max(1, Math.Min(queued, workers.Idle + workers.Starting));
                if (snapshot.MeanJobDuration is { } mean && mean > TimeSpan.Zero)
                {
                    // w workers drain q jobs of mean length m in about q·m/w: enough workers that this fits in what is
                    // left of the target for the oldest job.
                    var left = Math.Max((delay.Target - snapshot.OldestQueuedWait).TotalSeconds, 0.001);
                    var forecast = (int)Math.Min(queued, Math.Ceiling(queued * mean.TotalSeconds / left));
                    if (forecast > coming)
                    {
                        return (Add(workers.Busy, forecast), ScalingRules.QueueDelayForecast);
                    }
                }

                return (Add(workers.Busy, coming), ScalingRules.QueueDelayFirstWorker);

            default:
                throw new ArgumentException($"Unknown scaler {scaler.GetType().Name}.", nameof(scaler));
        }
    }

    /// <summary>Up to <paramref name="count"/> idle workers past the idle timeout, the longest idle first (ties by id, so
    /// the choice is deterministic); and when the next idle worker will pass it.</summary>
    private static (IReadOnlyList<string> Drain, DateTimeOffset? Next) PickIdle(IReadOnlyList<PoolWorkerView> workers, int count, TimeSpan idleTimeout, DateTimeOffset now)
    {
        List<(DateTimeOffset Since, string Id)>? expired = null;
        DateTimeOffset? next = null;
        foreach (var worker in workers)
        {
            if (worker.State != WorkerState.Idle)
            {
                continue;
            }

            var since = worker.IdleSince ?? now;
            if (since + idleTimeout <= now)
            {
                (expired ??= []).Add((since, worker.WorkerId));
            }
            else if (next is null || since + idleTimeout < next)
            {
                next = since + idleTimeout;
            }
        }

        if (expired is null)
        {
            return ([], next);
        }

        expired.Sort(static (a, b) => a.Since != b.Since ? a.Since.CompareTo(b.Since) : string.CompareOrdinal(a.Id, b.Id));
        var drain = expired.Take(count).Select(e => e.Id).ToArray();
        return (drain, next);
    }

    /// <summary>How many of <paramref name="wanted"/> new workers the pool's budget allows (all without a budget).</summary>
    private static int Affordable(PoolScalingPolicy policy, PoolSnapshot snapshot, int wanted)
    {
        if (policy.BudgetPerHour is not { } budget)
        {
            return wanted;
        }

        var room = budget - Math.Max(0m, snapshot.SpendPerHour);
        if (room <= 0m)
        {
            return 0;
        }

        return snapshot.CostPerWorker is { } each && each > 0m ? (int)Math.Min(wanted, decimal.Floor(room / each)) : wanted;
    }

    private static DateTimeOffset? QueueDelayDeadline(PoolScaler scaler, PoolSnapshot snapshot, DateTimeOffset now) =>
        scaler is QueueDelayScaler delay && snapshot.QueuedJobs > 0 && snapshot.OldestQueuedWait < delay.Target
            ? now + (delay.Target - snapshot.OldestQueuedWait)
            : null;

    private static DateTimeOffset? Earliest(DateTimeOffset now, params DateTimeOffset?[] moments)
    {
        DateTimeOffset? earliest = null;
        foreach (var moment in moments)
        {
            if (moment is { } m && m > now && (earliest is null || m < earliest))
            {
                earliest = m;
            }
        }

        return earliest;
    }

    private static int Add(int a, int b) => (int)Math.Min(int.MaxValue, (long)a + b);

    private static WorkerCounts Count(IReadOnlyList<PoolWorkerView> workers)
    {
        ArgumentNullException.ThrowIfNull(workers);
        int starting = 0, idle = 0, busy = 0, draining = 0;
        foreach (var worker in workers)
        {
            switch (worker.State)
            {
                case WorkerState.Spawning or WorkerState.Initializing: starting++; break;
                case WorkerState.Idle: idle++; break;
                case WorkerState.Running: busy++; break;
                case WorkerState.Draining: draining++; break;
                default: break; // terminating, terminated, failed: gone as far as capacity goes
            }
        }

        return new WorkerCounts(starting, idle, busy, draining);
    }

    private static void Check(PoolScalingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.MinWorkers < 0 || policy.MaxWorkers < 1 || policy.MinWorkers > policy.MaxWorkers)
        {
            throw new ArgumentException($"Need 0 ≤ min ≤ max and max ≥ 1; got min {policy.MinWorkers}, max {policy.MaxWorkers}.", nameof(policy));
        }

        if (policy.IdleTimeout < TimeSpan.Zero || policy.ScaleUpWindow < TimeSpan.Zero || policy.ScaleDownWindow < TimeSpan.Zero)
        {
            throw new ArgumentException("Idle timeout and windows must not be negative.", nameof(policy));
        }

        switch (policy.Scaler)
        {
            case QueueDelayScaler { Target: var target } when target <= TimeSpan.Zero:
                throw new ArgumentException("The queue delay target must be positive.", nameof(policy));
            case RequestCountScaler { JobsPerWorker: < 1 }:
                throw new ArgumentException("Jobs per worker must be at least 1.", nameof(policy));
            case null:
                throw new ArgumentException("A scaler is required.", nameof(policy));
            default:
                break;
        }
    }

    private readonly record struct WorkerCounts(int Starting, int Idle, int Busy, int Draining);
}
