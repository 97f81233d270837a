using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Email;
using Poddle.Core.Persistence;

namespace Poddle.Core.Alerts;

/// <summary>
/// Who receives a message about an incident (docs/alerts.md, "Receivers"): an owner's alert goes to the owner's verified
/// mail (when SMTP is configured) and to the owner's own webhook, each from the owner's least level (warning unless set);
/// the operators' webhooks and mail addresses get operators' alerts from their own least level, and owners' alerts only
/// when critical.
/// </summary>
public sealed class AlertReceivers(PoddleDbContext db, IOptions<AlertsOptions> options, IOptions<EmailOptions> email)
{
    /// <summary>The owners' least level when they set none.</summary>
    public const AlertLevel DefaultOwnerMinLevel = AlertLevel.Warning;

    /// <summary>The receiver ids (<see cref="AlertDeliveryPayload.Receiver"/>) of <paramref name="incident"/>.</summary>
    public async Task<List<string>> ForAsync(AlertIncident incident, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var receivers = new List<string>();
        var operators = incident.OwnerId is null || incident.Level == AlertLevel.Critical;
        var o = options.Value;
        for (var i = 0; operators && i < o.Webhooks.Count; i++)
        {
            if (AlertLevelNames.TryParse(o.Webhooks[i].MinLevel, out var least) && incident.Level >= least)
            {
                receivers.Add(Indexed(AlertReceiverKinds.OperatorWebhook, i));
            }
        }

        if (operators && email.Value.IsConfigured && AlertLevelNames.TryParse(o.EmailMinLevel, out var mailLeast) && incident.Level >= mailLeast)
        {
            receivers.AddRange(o.Emails.Select((_, i) => Indexed(AlertReceiverKinds.OperatorEmail, i)));
        }

        if (incident.OwnerId is { } owner)
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Id == owner).Select(u => new { u.EmailVerifiedAt, u.DisabledAt }).FirstOrDefaultAsync(cancellationToken);
            var settings = await db.Set<AlertSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.OwnerId == owner, cancellationToken);
            if (user is not null && user.DisabledAt is null && incident.Level >= (settings?.MinLevel ?? DefaultOwnerMinLevel))
            {
                if (email.Value.IsConfigured && user.EmailVerifiedAt is not null)
                {
                    receivers.Add(AlertReceiverKinds.OwnerEmail);
                }

                if (!string.IsNullOrEmpty(settings?.WebhookUrl))
                {
                    receivers.Add(AlertReceiverKinds.OwnerWebhook);
                }
            }
        }

        return receivers;
    }

    /// <summary>Splits a receiver id into its kind and its index in the operators' list (-1 for an owner's receiver).</summary>
    public static (string Kind, int Index) Parse(string receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var colon = receiver.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (receiver, -1)
            : (receiver[..colon], int.TryParse(receiver.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1);
    }

    private static string Indexed(string kind, int index) => string.Create(CultureInfo.InvariantCulture, $"{kind}:{index}");
}
