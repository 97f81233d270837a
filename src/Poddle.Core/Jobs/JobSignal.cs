using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Poddle.Core.Jobs;

/// <summary>
/// Wakes this process's idle workers when a job is committed here, so hot paths do not wait a poll interval. Each
/// lane has its own signal: a committed job wakes only the workers of the lane that runs its kind.
/// Jobs enqueued by other processes are found by polling.
/// </summary>
public sealed class JobSignal
{
    /// <summary>The lane name of <see cref="JobsOptions.Workers"/>.</summary>
    public const string DefaultLane = "default";

    private readonly Dictionary<string, string> _laneOfKind;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    public JobSignal()
        : this([])
    {
    }

    public JobSignal(IEnumerable<JobLane> lanes)
    {
        _laneOfKind = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var lane in lanes)
        {
            foreach (var kind in lane.Kinds)
            {
                _laneOfKind[kind] = lane.Name;
            }
        }
    }

    /// <summary>Completes at the next wake of the default lane. Take it before looking for work, so a wake in between is not lost.</summary>
    public Task Next => NextFor(DefaultLane);

    /// <summary>Completes at the next wake of <paramref name="lane"/>.</summary>
    public Task NextFor(string lane) => _next.GetOrAdd(lane, _ => NewSource()).Task;

    /// <summary>Wakes every lane.</summary>
    public void Wake()
    {
        foreach (var lane in _next.Keys)
        {
            WakeLane(lane);
        }
    }

    /// <summary>Wakes the lane that runs <paramref name="kind"/>.</summary>
    public void Wake(string kind) => WakeLane(_laneOfKind.GetValueOrDefault(kind, DefaultLane));

    private void WakeLane(string lane)
    {
        if (_next.TryGetValue(lane, out var current) && _next.TryUpdate(lane, NewSource(), current))
        {
            current.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Fires the <see cref="JobSignal"/> when the transaction that enqueued a job commits (and forgets it on rollback).
/// Registered once per provider; <see cref="JobQueue"/> marks the contexts that hold new jobs.
/// </summary>
public sealed class JobCommitInterceptor : DbTransactionInterceptor
{
    public static readonly JobCommitInterceptor Instance = new();

    private static readonly ConditionalWeakTable<DbContext, PendingWake> Pending = [];

    private JobCommitInterceptor()
    {
    }

    internal static void WakeAfterCommit(DbContext context, JobSignal signal, string kind)
    {
        var pending = Pending.GetValue(context, _ => new PendingWake(signal));
        lock (pending.Kinds)
        {
            pending.Kinds.Add(kind);
        }
    }

    /// <summary>Wakes now when the context has no open transaction (its save already committed).</summary>
    internal static void WakeIfCommitted(DbContext context)
    {
        if (context.Database.CurrentTransaction is null)
        {
            Fire(context);
        }
    }

    public override void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Fire(eventData.Context);

    public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Fire(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public override Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Fire(DbContext? context)
    {
        if (context is not null && Pending.TryGetValue(context, out var pending))
        {
            Pending.Remove(context);
            string[] kinds;
            lock (pending.Kinds)
            {
                kinds = [.. pending.Kinds];
            }

            foreach (var kind in kinds)
            {
                pending.Signal.Wake(kind);
            }
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            Pending.Remove(context);
        }
    }

    private sealed class PendingWake(JobSignal signal)
    {
        public JobSignal Signal { get; } = signal;

        public HashSet<string> Kinds { get; } = new(StringComparer.Ordinal);
    }
}
