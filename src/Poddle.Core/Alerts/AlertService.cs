using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Core.Alerts;

/// <summary>The alerts API's use cases: a caller's incidents (an admin's: everyone's) and an owner's own receiver settings.</summary>
public sealed class AlertService(
    PoddleDbContext db,
    IOptions<AlertsOptions> options,
    IOptions<EmailOptions> email,
    TimeProvider clock)
{
    /// <summary>
    /// The caller's incidents firing now and those resolved within <see cref="AlertsOptions.History"/>, newest first, at
    /// most <see cref="AlertLimits.ListLimit"/>; an admin sees every owner's and the operators' ones.
    /// </summary>
    public async Task<List<AlertIncident>> ListAsync(Guid caller, CancellationToken cancellationToken)
    {
        var admin = await db.Users.AsNoTracking().AnyAsync(u => u.Id == caller && u.Role == UserRole.Admin, cancellationToken);
        var since = clock.GetStoredUtcNow() - options.Value.History;
        var query = db.Set<AlertIncident>().AsNoTracking().Where(i => i.ResolvedAt == null || i.ResolvedAt >= since);
        if (!admin)
        {
            query = query.Where(i => i.OwnerId == caller);
        }

        return await query.OrderByDescending(i => i.FiringSince).Take(AlertLimits.ListLimit).ToListAsync(cancellationToken);
    }

    public async Task<AlertSettingsView> GetSettingsAsync(Guid owner, CancellationToken cancellationToken)
    {
        var settings = await db.Set<AlertSettings>().AsNoTracking().FirstOrDefaultAsync(s => s.OwnerId == owner, cancellationToken);
        return await ViewAsync(owner, settings, cancellationToken);
    }

    /// <summary>Sets the owner's webhook, its format and the least level; a validation error names each field to fix.</summary>
    public async Task<Result<AlertSettingsView>> UpdateSettingsAsync(Guid owner, AlertSettingsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new FieldErrors();
        var url = string.IsNullOrWhiteSpace(input.WebhookUrl) ? null : input.WebhookUrl.Trim();
        if (url is not null && !AlertsOptionsValidator.IsHttpUrl(url))
        {
            errors.Add(AlertFields.WebhookUrl, $"Must be an absolute http or https URL of at most {AlertLimits.WebhookUrlLength} characters (or null for none).");
        }
        else if (url is not null && !options.Value.OwnerWebhookPrivateNetworks && IsPrivateHost(new Uri(url)))
        {
            errors.Add(AlertFields.WebhookUrl, "Must reach a public address: loopback, private and link-local hosts are refused (the server sends it from inside its network).");
        }

        var format = WebhookFormat.Json;
        if (input.Format is not null && !WebhookFormatNames.TryParse(input.Format, out format))
        {
            errors.Add(AlertFields.Format, $"Must be {WebhookFormatNames.All}.");
        }

        var level = AlertReceivers.DefaultOwnerMinLevel;
        if (input.MinLevel is not null && !AlertLevelNames.TryParse(input.MinLevel, out level))
        {
            errors.Add(AlertFields.MinLevel, $"Must be {AlertLevelNames.All}.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var now = clock.GetStoredUtcNow();
        var settings = await db.Set<AlertSettings>().FirstOrDefaultAsync(s => s.OwnerId == owner, cancellationToken);
        if (settings is null)
        {
            settings = new AlertSettings { OwnerId = owner, Format = WebhookFormatNames.Json };
            db.Add(settings);
        }

        settings.WebhookUrl = url;
        settings.Format = WebhookFormatNames.Of(format);
        settings.MinLevel = level;
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return await ViewAsync(owner, settings, cancellationToken);
    }

    /// <summary>
    /// A host that is plainly not public: a literal private address or a local name. Only a first, friendly check: the
    /// real one is made on the resolved addresses at connect time (<see cref="WebhookHttpHandler"/>).
    /// </summary>
    private static bool IsPrivateHost(Uri uri) =>
        uri.IsLoopback
        || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && !PublicAddress.IsPublic(address))
        || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || !uri.IdnHost.Contains('.', StringComparison.Ordinal);

    private async Task<AlertSettingsView> ViewAsync(Guid owner, AlertSettings? settings, CancellationToken cancellationToken)
    {
        var verified = await db.Users.AsNoTracking().AnyAsync(u => u.Id == owner && u.EmailVerifiedAt != null, cancellationToken);
        return new AlertSettingsView(
            settings?.WebhookUrl is { } url ? new Uri(url).GetLeftPart(UriPartial.Authority) : null,
            settings?.Format ?? WebhookFormatNames.Json,
            AlertLevelNames.Of(settings?.MinLevel ?? AlertReceivers.DefaultOwnerMinLevel),
            verified && email.Value.IsConfigured);
    }
}
