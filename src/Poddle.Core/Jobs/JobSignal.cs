using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Poddle.Core.Jobs;

/// <summary>
/// Wakes this process's idle workers when a job is committed here, so hot paths do not wait a poll interval.
/// Jobs enqueued by other processes are found by polling.
/// </summary>
public sealed class JobSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Wake"/>. Take it before looking for work, so a wake in between is not lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Wake() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>
/// Fires the <see cref="JobSignal"/> when the transaction that enqueued a job commits (and forgets it on rollback).
/// Registered once per provider; <see cref="JobQueue"/> marks the contexts that hold new jobs.
/// </summary>
public sealed class JobCommitInterceptor : DbTransactionInterceptor
{
    public static readonly JobCommitInterceptor Instance = new();

    private static readonly ConditionalWeakTable<DbContext, JobSignal> Pending = [];

    private JobCommitInterceptor()
    {
    }

    internal static void WakeAfterCommit(DbContext context, JobSignal signal) => Pending.AddOrUpdate(context, signal);

    /// <summary>Wakes now when the context has no open transaction (its save already committed).</summary>
    internal static void WakeIfCommitted(DbContext context)
    {
        if (context.Database.CurrentTransaction is null && Pending.TryGetValue(context, out var signal))
        {
            Pending.Remove(context);
            signal.Wake();
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
        if (context is not null && Pending.TryGetValue(context, out var signal))
        {
            Pending.Remove(context);
            signal.Wake();
        }
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
        {
            Pending.Remove(context);
        }
    }
}
