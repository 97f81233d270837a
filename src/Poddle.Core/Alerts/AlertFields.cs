using Poddle.Core.Common;

namespace Poddle.Core.Alerts;

/// <summary>The fields alert errors name, as paths of Core's own input (<see cref="AlertSettingsInput"/>).</summary>
public static class AlertFields
{
    public static readonly FieldPath WebhookUrl = FieldPath.Of(nameof(AlertSettingsInput.WebhookUrl));
    public static readonly FieldPath Format = FieldPath.Of(nameof(AlertSettingsInput.Format));
    public static readonly FieldPath MinLevel = FieldPath.Of(nameof(AlertSettingsInput.MinLevel));
}
