using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Core.Alerts;

/// <summary>
/// Delivers one message about an incident to one receiver: a POST in the receiver's format (generic JSON, Slack, Discord)
/// or a mail through <c>Email:Smtp</c>. A failure or a non-2xx answer throws, and the queue retries with back-off up to
/// <see cref="AlertsOptions.DeliveryAttempts"/>. The address is read now: a receiver removed since is skipped.
/// </summary>
public sealed partial class AlertDeliveryJob(
    PoddleDbContext db,
    AlertWebhookClients clients,
    SmtpMailer mailer,
    AlertMetrics metrics,
    IOptions<AlertsOptions> options,
    IOptions<EmailOptions> email,
    ILogger<AlertDeliveryJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.AlertDelivery;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = JsonSerializer.Deserialize<AlertDeliveryPayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("An alert delivery job without a payload.");
        var incident = await db.Set<AlertIncident>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == payload.IncidentId, cancellationToken);
        if (incident is null)
        {
            return;
        }

        var (kind, index) = AlertReceivers.Parse(payload.Receiver);
        try
        {
            var delivered = kind switch
            {
                AlertReceiverKinds.OperatorWebhook => await OperatorWebhookAsync(incident, payload.Message, index, cancellationToken),
                AlertReceiverKinds.OperatorEmail => await MailAsync(index >= 0 && index < options.Value.Emails.Count ? options.Value.Emails[index] : null, incident, payload.Message, cancellationToken),
                AlertReceiverKinds.OwnerWebhook => await OwnerWebhookAsync(incident, payload.Message, cancellationToken),
                AlertReceiverKinds.OwnerEmail => await MailAsync(await OwnerAddressAsync(incident, cancellationToken), incident, payload.Message, cancellationToken),
                _ => false,
            };
            if (delivered)
            {
                metrics.Delivered(kind, AlertMetrics.Sent);
                LogDelivered(logger, payload.Message, incident.Key, kind);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var dead = context.Attempt >= context.MaxAttempts;
            metrics.Delivered(kind, dead ? AlertMetrics.Dead : AlertMetrics.Failed);
            LogFailed(logger, payload.Message, incident.Key, kind, context.Attempt, context.MaxAttempts, ex.Message);
            throw;
        }
    }

    private async Task<bool> OperatorWebhookAsync(AlertIncident incident, string message, int index, CancellationToken cancellationToken)
    {
        if (index < 0 || index >= options.Value.Webhooks.Count || options.Value.Webhooks[index] is not { Url: { } url } hook)
        {
            return false; // removed from the configuration since
        }

        // Validated at start; a format that no longer parses falls back to the generic JSON.
        var format = WebhookFormatNames.TryParse(hook.Format, out var parsed) ? parsed : WebhookFormat.Json;
        await PostAsync(clients.Operator, url, format, incident, message, cancellationToken);
        return true;
    }

    private async Task<bool> OwnerWebhookAsync(AlertIncident incident, string message, CancellationToken cancellationToken)
    {
        var settings = await db.Set<AlertSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.OwnerId == incident.OwnerId, cancellationToken);
        if (settings?.WebhookUrl is not { Length: > 0 } url)
        {
            return false; // the owner removed it since
        }

        var format = WebhookFormatNames.TryParse(settings.Format, out var parsed) ? parsed : WebhookFormat.Json;
        await PostAsync(clients.Owner, url, format, incident, message, cancellationToken);
        return true;
    }

    private async Task PostAsync(HttpClient http, string url, WebhookFormat format, AlertIncident incident, string message, CancellationToken cancellationToken)
    {
        var body = ChatWebhookBody.Create(format, AlertText.Line(incident, message))
            ?? JsonSerializer.Serialize(AlertText.Json(incident, message), PayloadJson);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        using var content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json);
        using var response = await http.PostAsync(new Uri(url), content, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            // Only the host reaches the log: a chat webhook's path is its key.
            throw new HttpRequestException($"The webhook at {new Uri(url).Host} answered {(int)response.StatusCode}.");
        }
    }

    private async Task<bool> MailAsync(string? to, AlertIncident incident, string message, CancellationToken cancellationToken)
    {
        if (to is null || !email.Value.IsConfigured)
        {
            return false;
        }

        await mailer.SendAsync(AlertText.Mail(to, incident, message), cancellationToken);
        return true;
    }

    /// <summary>The owner's address while it is verified and the account enabled; null otherwise.</summary>
    private Task<string?> OwnerAddressAsync(AlertIncident incident, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking()
            .Where(u => u.Id == incident.OwnerId && u.EmailVerifiedAt != null && u.DisabledAt == null)
            .Select(u => (string?)u.Email)
            .FirstOrDefaultAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Message} of {Key} delivered to {Receiver}")]
    private static partial void LogDelivered(ILogger logger, string message, string key, string receiver);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Message} of {Key} to {Receiver} failed (attempt {Attempt} of {MaxAttempts}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string message, string key, string receiver, int attempt, int maxAttempts, string reason);
}
