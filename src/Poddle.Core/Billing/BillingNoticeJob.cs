using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Delivers one billing notice on one channel: a mail to the owner's verified address through the SMTP server, or a JSON
/// POST to the operator's webhook. A failure throws, and the queue retries (at least once; each channel on its own, so a
/// failing webhook never sends the mail again).
/// </summary>
public sealed partial class BillingNoticeJob(
    PoddleDbContext db,
    SmtpMailer mailer,
    BillingWebhookClient webhook,
    IOptions<BillingOptions> options,
    IOptions<EmailOptions> email,
    ILogger<BillingNoticeJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.BillingNotice;
    public const string Mail = "mail";
    public const string Webhook = "webhook";
    public const int MaxAttempts = 10;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = JsonSerializer.Deserialize<BillingNoticePayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("A billing notice job without a payload.");
        var notice = await db.Set<BillingNotice>().AsNoTracking().FirstOrDefaultAsync(n => n.Id == payload.NoticeId, cancellationToken);
        var user = notice is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == notice.OwnerId, cancellationToken);
        if (notice is null || user is null)
        {
            return;
        }

        switch (payload.Channel)
        {
            case Mail when email.Value.IsConfigured && user.EmailVerifiedAt is not null && user.DisabledAt is null:
                await mailer.SendAsync(new OutgoingMail(user.Email, Subject(notice.Kind), $"Hello {user.Email},\n\n{notice.Message}\n\n— Poddle\n"), cancellationToken);
                break;
            case Webhook when options.Value.WebhookUrl is { Length: > 0 } url:
                using (var response = await webhook.Http.PostAsJsonAsync(
                    new Uri(url),
                    new BillingNoticeMessage(notice.Id, notice.Kind, notice.OwnerId, user.Email, notice.Period, notice.BalanceMinor, options.Value.Currency, notice.Message, notice.CreatedAt),
                    PayloadJson,
                    cancellationToken))
                {
                    response.EnsureSuccessStatusCode();
                }

                break;
            default:
                // The channel was turned off (or the address is not verified) since the notice was stored.
                return;
        }

        LogDelivered(logger, notice.Kind, notice.OwnerId, payload.Channel);
    }

    /// <summary>A mail's subject per notice kind.</summary>
    public static string Subject(string kind) => kind switch
    {
        BillingNoticeKinds.LowThreeDays => "Poddle: your balance lasts less than 3 days",
        BillingNoticeKinds.LowOneDay => "Poddle: your balance lasts less than 1 day",
        BillingNoticeKinds.Depleted => "Poddle: your balance is used up",
        BillingNoticeKinds.Suspended => "Poddle: your deployments are suspended",
        BillingNoticeKinds.Resumed => "Poddle: your deployments are resumed",
        _ => "Poddle: billing notice",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Billing notice {Kind} for owner {OwnerId} delivered by {Channel}")]
    private static partial void LogDelivered(ILogger logger, string kind, Guid ownerId, string channel);
}
