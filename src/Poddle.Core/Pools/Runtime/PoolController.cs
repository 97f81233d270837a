using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// The pool controller (docs/pools.md "How workers run"): event-driven, it runs a <see cref="PoolControllerStep"/> for a
/// pool at once when its queue changes (<see cref="PoolJobNotifier.QueueChanged"/>: a job queued, taken, finished,
/// cancelled, taken back) or a worker asks to be recycled (<see cref="PoolJobNotifier.WorkerStopRequested"/>), when the
/// pool's last decision or a worker's liveness deadline says so, and for every pool on the periodic
/// <see cref="PoolControllerOptions.Tick"/> (which also destroys the pods of workers that have ended). Runs only on the
/// server holding the controller lease (<see cref="ControllerLeadership"/>, the deployment controller's), so one server
/// counts and starts workers and MaxWorkers holds across servers. A failing pass is logged and the loop goes on.
/// </summary>
public sealed partial class PoolController(
    IServiceScopeFactory scopes,
    PoolJobNotifier notifier,
    ControllerLeadership leadership,
    PodDriverRegistry drivers,
    IOptions<PoolControllerOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<PoolController> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, byte> _dirty = new();
    private readonly ConcurrentDictionary<string, byte> _stops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _due = new();
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);
    private DateTimeOffset? _leadingSince;
    private volatile TaskCompletionSource _wake = NewWake();
    private long _passes;

    /// <summary>Passes completed (for tests and diagnostics).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>One pass: every pool when <paramref name="full"/>, else the pools an event or a deadline named.</summary>
    public async Task RunOnceAsync(bool full, CancellationToken cancellationToken)
    {
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            _dirty.Clear();
            _due.Clear();
            _leadingSince = null;
            return;
        }

        var now = clock.GetUtcNow();
        var leadingSince = _leadingSince ??= now;
        var stops = _stops.Keys.ToHashSet(StringComparer.Ordinal);
        List<Guid> pools;
        if (full || stops.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            pools = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Pools.Select(p => p.Id).ToListAsync(cancellationToken);
        }
        else
        {
            pools = [.. _dirty.Keys.Union(_due.Where(d => d.Value <= now).Select(d => d.Key))];
        }

        foreach (var poolId in pools)
        {
            _dirty.TryRemove(poolId, out _);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var next = await scope.ServiceProvider.GetRequiredService<PoolControllerStep>().RunAsync(poolId, stops, _recovered, leadingSince, cancellationToken);
                if (next is { } at)
                {
                    _due[poolId] = at;
                }
                else
                {
                    _due.TryRemove(poolId, out _);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogPoolFailed(logger, ex, poolId);
                _due[poolId] = now + options.Value.Tick;
            }
        }

        foreach (var workerId in stops)
        {
            _stops.TryRemove(workerId, out _);
        }

        if (full)
        {
            await SweepEndedWorkerPodsAsync(cancellationToken);
        }

        Interlocked.Increment(ref _passes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        notifier.QueueChanged += OnQueueChanged;
        notifier.WorkerStopRequested += OnStopRequested;
        try
        {
            // Workers reach this server only once it listens: a pass before that (a restart on a slow machine) would count
            // the time the server took to start as the workers' silence and take them for lost, their jobs with them. Jobs
            // queued meanwhile are already marked for the first pass.
            await StartedAsync(stoppingToken);
            var nextTick = clock.GetUtcNow();
            while (!stoppingToken.IsCancellationRequested)
            {
                // A new wake-up before the pass: an event during the pass makes the wait below return at once.
                _wake = NewWake();
                var now = clock.GetUtcNow();
                var full = now >= nextTick;
                if (full)
                {
                    nextTick = now + options.Value.Tick;
                }

                try
                {
                    await RunOnceAsync(full, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogPassFailed(logger, ex);
                }

                var until = _due.Values.Append(nextTick).Min();
                var delay = until - clock.GetUtcNow();
                if (delay > TimeSpan.Zero && _dirty.IsEmpty && _stops.IsEmpty)
                {
                    using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    await Task.WhenAny(_wake.Task, Task.Delay(delay, clock, cancel.Token));
                    await cancel.CancelAsync();
                }
            }
        }
        finally
        {
            notifier.QueueChanged -= OnQueueChanged;
            notifier.WorkerStopRequested -= OnStopRequested;
        }
    }

    /// <summary>Completes when the host has started (the server listens); cancelled with <paramref name="stoppingToken"/>.</summary>
    private async Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
    }

    /// <summary>
    /// Destroys worker pods of this installation whose worker has ended (failed, terminated) — the end of a termination
    /// that could not end its pod, or a pass that died mid-way — and the pods of a deleted pool. Any other pod with no
    /// worker row (a pod Poddle does not know) is not this sweep's: the fleet reconciliation alerts on it and terminates
    /// it after its grace.
    /// </summary>
    private async Task SweepEndedWorkerPodsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var labels = await services.GetRequiredService<PoolWorkerPods>().InstallationLabelsAsync(cancellationToken);
        var db = services.GetRequiredService<PoddleDbContext>();
        foreach (var driver in drivers.All)
        {
            try
            {
                var listed = new List<PodHandle>();
                await foreach (var handle in driver.ListAsync(labels, cancellationToken))
                {
                    listed.Add(handle);
                }

                // Read after the listing: a worker's row is written before its pod is started, so a listed pod's row is seen.
                var ids = listed.Select(h => h.Labels.GetValueOrDefault(PodLabels.Replica)).OfType<string>().ToList();
                var ended = (await db.Set<PoolWorker>().AsNoTracking()
                        .Where(w => ids.Contains(w.WorkerId) && (w.State == Scaling.WorkerStates.Terminated || w.State == Scaling.WorkerStates.Failed))
                        .Select(w => w.WorkerId)
                        .ToListAsync(cancellationToken))
                    .ToHashSet(StringComparer.Ordinal);
                // A deleted pool's pods go at once too: deleting a pool is the owner's word that its workers end (its worker
                // rows went with it by cascade). A pool's row is written before any of its pods, so a listed pod's pool is seen.
                var poolIds = listed.Select(h => Guid.TryParseExact(h.Labels.GetValueOrDefault(PodLabels.Id), "N", out var id) ? id : (Guid?)null)
                    .OfType<Guid>().Distinct().ToList();
                var pools = (await db.Pools.AsNoTracking().Where(p => poolIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken)).ToHashSet();
                bool PoolDeleted(PodHandle h) => Guid.TryParseExact(h.Labels.GetValueOrDefault(PodLabels.Id), "N", out var id) && !pools.Contains(id);
                foreach (var handle in listed.Where(h => ended.Contains(h.Labels.GetValueOrDefault(PodLabels.Replica) ?? string.Empty) || PoolDeleted(h)))
                {
                    await driver.DestroyAsync(handle, cancellationToken);
                }
            }
            catch (PodDriverException ex)
            {
                LogSweepFailed(logger, ex, driver.Name);
            }
        }
    }

    private void OnQueueChanged(Guid poolId)
    {
        _dirty[poolId] = 0;
        _wake.TrySetResult();
    }

    private void OnStopRequested(string workerId)
    {
        _stops[workerId] = 0;
        _wake.TrySetResult();
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pool controller: the pass over pool {PoolId} failed; it is tried again")]
    private static partial void LogPoolFailed(ILogger logger, Exception ex, Guid poolId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pool controller: a pass failed; the loop goes on")]
    private static partial void LogPassFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool controller: listing the {Driver} driver's worker pods failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex, string driver);
}
