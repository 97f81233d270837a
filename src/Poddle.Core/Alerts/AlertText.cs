using System.Globalization;
using Poddle.Core.Email;

namespace Poddle.Core.Alerts;

/// <summary>What people read: the chat line, the JSON body and the mail of one message about an incident.</summary>
public static class AlertText
{
    /// <summary>"[CRITICAL] title\nmessage" for a problem; "[RESOLVED] title (after 12 min)" for a recovery.</summary>
    public static string Line(AlertIncident incident, string message)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return message == AlertMessageKinds.Recovery
            ? $"[RESOLVED] {incident.Title} (fired for {Duration((incident.ResolvedAt ?? incident.FiringSince) - incident.FiringSince)})"
            : $"[{AlertLevelNames.Of(incident.Level).ToUpperInvariant()}] {incident.Title}\n{incident.Message}";
    }

    public static AlertWebhookMessage Json(AlertIncident incident, string message)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new AlertWebhookMessage(
            message,
            incident.Id,
            incident.Key,
            AlertLevelNames.Of(incident.Level),
            incident.Title,
            incident.Message,
            incident.OwnerId,
            incident.FiringSince,
            message == AlertMessageKinds.Recovery ? incident.ResolvedAt : null,
            Line(incident, message));
    }

    public static OutgoingMail Mail(string to, AlertIncident incident, string message)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var subject = message == AlertMessageKinds.Recovery
            ? $"Poddle alert resolved: {incident.Title}"
            : $"Poddle alert ({AlertLevelNames.Of(incident.Level)}): {incident.Title}";
        var resolved = message == AlertMessageKinds.Recovery
            ? string.Create(CultureInfo.InvariantCulture, $"Resolved at: {incident.ResolvedAt:u}\n")
            : string.Empty;
        var body = string.Create(CultureInfo.InvariantCulture, $"{Line(incident, message)}\n\nIncident: {incident.Key}\nFiring since: {incident.FiringSince:u}\n{resolved}\n— Poddle\n");
        return new OutgoingMail(to, subject.ReplaceLineEndings(" "), body);
    }

    private static string Duration(TimeSpan span) =>
        span.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)span.TotalSeconds)} s")
        : span.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h");
}
