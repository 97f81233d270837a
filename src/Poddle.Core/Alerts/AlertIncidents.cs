using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Alerts;

/// <summary>
/// The incidents table's rules (scoped: one unit of work). Raise inserts a firing row and its dispatch job in one
/// SaveChanges (the unique <see cref="AlertIncident.FiringKey"/> lets one of many concurrent raises win); resolve is one
/// conditional update and, when the problem went out, its recovery's dispatch job, in one transaction. Each saves on its
/// own: call it outside the caller's transaction (a lost race is a unique violation, which would abort a PostgreSQL one).
/// </summary>
public sealed partial class AlertIncidents(
    PoddleDbContext db,
    JobQueue jobs,
    IDatabaseErrors databaseErrors,
    IOptions<AlertsOptions> options,
    TimeProvider clock,
    ILogger<AlertIncidents> logger)
{
    /// <summary>Starts an incident unless the key fires; true when this call started it.</summary>
    public async Task<bool> RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var key = alert.Key;
        if (await db.Set<AlertIncident>().AsNoTracking().AnyAsync(i => i.FiringKey == key, cancellationToken))
        {
            return false;
        }

        var now = clock.GetStoredUtcNow();
        var incident = new AlertIncident
        {
            Id = Guid.CreateVersion7(now),
            Key = key,
            FiringKey = key,
            Level = alert.Level,
            Title = Cut(alert.Title, AlertLimits.TitleLength),
            Message = Cut(alert.Message, AlertLimits.MessageLength),
            OwnerId = alert.OwnerId,
            FiringSince = now,
        };
        db.Add(incident);

        // The throttle: within the window of this key's last message, the problem waits for the window's end (and goes out
        // only if the incident still fires then: AlertDispatchJob).
        var lastSent = await LastSentAsync(key, cancellationToken);
        var window = options.Value.ThrottleWindow;
        var sendAt = lastSent is { } last && now - last < window ? last + window : now;
        await EnqueueDispatchAsync(incident.Id, AlertMessageKinds.Problem, sendAt, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Another server (or another call) started this incident first: it sends it.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        if (sendAt > now)
        {
            LogThrottled(logger, key, sendAt);
        }

        return true;
    }

    /// <summary>Ends the key's firing incident; true when this call ended it.</summary>
    public async Task<bool> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var firing = await db.Set<AlertIncident>().AsNoTracking().Where(i => i.FiringKey == key).Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (firing == Guid.Empty)
        {
            return false;
        }

        var now = clock.GetStoredUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The conditional update decides: of two resolves (or a resolve and the dispatch of a held-back problem), one wins.
        var ended = await db.Set<AlertIncident>()
            .Where(i => i.Id == firing && i.FiringKey != null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.FiringKey, (string?)null).SetProperty(i => i.ResolvedAt, now), cancellationToken);
        if (ended == 0)
        {
            return false;
        }

        // A recovery only for a problem that went out; a held-back one is never sent now (its dispatch sees it resolved).
        var sent = await db.Set<AlertIncident>().AsNoTracking().Where(i => i.Id == firing).Select(i => i.LastSentAt).FirstAsync(cancellationToken);
        if (sent is not null)
        {
            await EnqueueDispatchAsync(firing, AlertMessageKinds.Recovery, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Incidents firing now, per level.</summary>
    public async Task<Dictionary<AlertLevel, int>> CountFiringAsync(CancellationToken cancellationToken) =>
        await db.Set<AlertIncident>().AsNoTracking()
            .Where(i => i.FiringKey != null)
            .GroupBy(i => i.Level)
            .Select(g => new { Level = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Level, g => g.Count, cancellationToken);

    /// <summary>When the key's last message (of any incident) was queued; ordered, not MAX (SQLite stores timestamps converted).</summary>
    private Task<DateTimeOffset?> LastSentAsync(string key, CancellationToken cancellationToken) =>
        db.Set<AlertIncident>().AsNoTracking()
            .Where(i => i.Key == key && i.LastSentAt != null)
            .OrderByDescending(i => i.LastSentAt)
            .Select(i => i.LastSentAt)
            .FirstOrDefaultAsync(cancellationToken);

    private Task<Enqueued> EnqueueDispatchAsync(Guid incidentId, string message, DateTimeOffset runAt, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(
            AlertDispatchJob.JobKind,
            new AlertDispatchPayload(incidentId, message),
            new EnqueueOptions(RunAt: runAt, IdempotencyKey: $"{AlertDispatchJob.JobKind}:{incidentId:N}:{message}", MaxAttempts: options.Value.DeliveryAttempts),
            cancellationToken);

    private static string Cut(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Key} raised within the throttle window of its last message: held back until {SendAt}")]
    private static partial void LogThrottled(ILogger logger, string key, DateTimeOffset sendAt);
}
