namespace Poddle.Core.Alerts;

/// <summary>
/// The generic JSON body of an alert webhook (format <c>json</c>; docs/alerts.md shows one). Slack and Discord get
/// <see cref="Text"/> alone in their own shapes.
/// </summary>
/// <param name="Kind">problem or recovery (<see cref="AlertMessageKinds"/>).</param>
/// <param name="IncidentId">The incident: a problem and its recovery share it; a later raise of the key is another.</param>
/// <param name="Key">The incident key (<c>deployment:{id}:crash-loop</c>).</param>
/// <param name="Level">info, warning or critical.</param>
/// <param name="Title">One line.</param>
/// <param name="Message">The details.</param>
/// <param name="OwnerId">The owner it concerns; null for an operators' alert.</param>
/// <param name="FiringSince">When the incident started.</param>
/// <param name="ResolvedAt">When it ended (a recovery only).</param>
/// <param name="Text">The one message for people, as chat webhooks show it.</param>
public sealed record AlertWebhookMessage(
    string Kind,
    Guid IncidentId,
    string Key,
    string Level,
    string Title,
    string Message,
    Guid? OwnerId,
    DateTimeOffset FiringSince,
    DateTimeOffset? ResolvedAt,
    string Text);
