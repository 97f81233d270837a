using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Alerts;

/// <summary>
/// Fans one message about an incident out to its receivers (<see cref="AlertReceivers"/>): one
/// <see cref="AlertDeliveryJob"/> per receiver, so a failing webhook is retried alone and never repeats the mail. A
/// problem goes out only while the incident fires and only once: marking <see cref="AlertIncident.LastSentAt"/> (a
/// conditional update) and queueing the deliveries are one transaction, and a resolve that wins the row first stops it.
/// </summary>
public sealed partial class AlertDispatchJob(
    PoddleDbContext db,
    JobQueue jobs,
    AlertReceivers receivers,
    IOptions<AlertsOptions> options,
    TimeProvider clock,
    ILogger<AlertDispatchJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.AlertDispatch;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = JsonSerializer.Deserialize<AlertDispatchPayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("An alert dispatch job without a payload.");
        var now = clock.GetStoredUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var incident = await db.Set<AlertIncident>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == payload.IncidentId, cancellationToken);
        if (incident is null)
        {
            return; // its owner was deleted
        }

        var marked = payload.Message == AlertMessageKinds.Problem
            ? await db.Set<AlertIncident>()
                .Where(i => i.Id == incident.Id && i.ResolvedAt == null && i.LastSentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastSentAt, now), cancellationToken)
            : await db.Set<AlertIncident>()
                .Where(i => i.Id == incident.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LastSentAt, now), cancellationToken);
        if (marked == 0)
        {
            // Resolved while held back by the throttle (nobody heard of it), or dispatched by an earlier try.
            return;
        }

        var to = await receivers.ForAsync(incident, cancellationToken);
        foreach (var receiver in to)
        {
            await jobs.EnqueueAsync(
                AlertDeliveryJob.JobKind,
                new AlertDeliveryPayload(incident.Id, payload.Message, receiver),
                new EnqueueOptions(IdempotencyKey: $"{AlertDeliveryJob.JobKind}:{incident.Id:N}:{payload.Message}:{receiver}", MaxAttempts: options.Value.DeliveryAttempts),
                cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDispatched(logger, payload.Message, incident.Key, to.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Message} of {Key} queued to {Receivers} receiver(s)")]
    private static partial void LogDispatched(ILogger logger, string message, string key, int receivers);
}
