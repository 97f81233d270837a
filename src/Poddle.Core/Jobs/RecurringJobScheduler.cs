using System.Globalization;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Jobs;

/// <summary>A recurring job declared in code (<see cref="JobsServiceCollectionExtensions.AddRecurringJob"/>); synced to the table at start.</summary>
public sealed record RecurringJobDefinition(string Name, string Cron, string Kind, string? Payload = null);

/// <summary>
/// Enqueues recurring jobs when they fall due. Each occurrence is enqueued with the idempotency key
/// "recurring:{name}:{occurrence}", and next_run_at advances only from the value that was read, so any number of
/// servers may run this at once and each occurrence still becomes one job. Occurrences missed while no server ran
/// are coalesced: the first missed one is enqueued, the rest are skipped.
/// </summary>
public sealed partial class RecurringJobScheduler(
    IServiceScopeFactory scopes,
    IEnumerable<RecurringJobDefinition> definitions,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    IDatabaseErrors databaseErrors,
    ILogger<RecurringJobScheduler> logger) : BackgroundService
{
    public static string IdempotencyKey(string name, DateTimeOffset occurrence) =>
        $"recurring:{name}:{occurrence.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";

    /// <summary>Inserts declared schedules that are missing and updates changed ones (their next run is recomputed).</summary>
    public async Task SyncDefinitionsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var now = clock.GetUtcNow();
        foreach (var definition in definitions)
        {
            var existing = await db.Set<RecurringJob>().FirstOrDefaultAsync(r => r.Name == definition.Name, cancellationToken);
            var next = NextOccurrence(definition.Cron, now);
            if (existing is null)
            {
                db.Set<RecurringJob>().Add(new RecurringJob
                {
                    Name = definition.Name,
                    Cron = definition.Cron,
                    Kind = definition.Kind,
                    Payload = definition.Payload,
                    NextRunAt = next,
                });
            }
            else if (existing.Cron != definition.Cron || existing.Kind != definition.Kind || existing.Payload != definition.Payload)
            {
                existing.Cron = definition.Cron;
                existing.Kind = definition.Kind;
                existing.Payload = definition.Payload;
                existing.NextRunAt = next;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
            {
                // Another server starting at the same time inserted it first.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Enqueues every recurring job that is due now; returns how many jobs this call created.</summary>
    public async Task<int> EnqueueDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<RecurringJob> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<RecurringJob>().AsNoTracking()
                .Where(r => r.Enabled && r.NextRunAt <= now)
                .ToListAsync(cancellationToken);
        }

        var created = 0;
        foreach (var recurring in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            var occurrence = recurring.NextRunAt;
            var result = await queue.EnqueueAndSaveAsync(
                recurring.Kind,
                recurring.Payload,
                new EnqueueOptions(RunAt: occurrence, IdempotencyKey: IdempotencyKey(recurring.Name, occurrence)),
                cancellationToken);
            if (result.Created)
            {
                created++;
                LogEnqueued(logger, recurring.Name, occurrence);
            }

            // Advance only from the value read: a server that lost the race changes nothing.
            var next = NextOccurrence(recurring.Cron, now);
            await db.Set<RecurringJob>()
                .Where(r => r.Name == recurring.Name && r.NextRunAt == occurrence)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, next), cancellationToken);
        }

        return created;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var synced = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!synced)
                {
                    await SyncDefinitionsAsync(stoppingToken);
                    synced = true;
                }

                await EnqueueDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogIterationFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static DateTimeOffset NextOccurrence(string cron, DateTimeOffset after) =>
        CronExpression.Parse(cron).GetNextOccurrence(after, TimeZoneInfo.Utc)
        ?? throw new InvalidOperationException($"The cron expression '{cron}' has no future occurrence.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Recurring job {Name}: enqueued the occurrence of {Occurrence:O}")]
    private static partial void LogEnqueued(ILogger logger, string name, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recurring job scheduler: iteration failed; retrying after the poll interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);
}
