namespace Poddle.Core.Alerts;

/// <summary>
/// One incident of an alert key: from its first raise to its resolve. While it fires, <see cref="FiringKey"/> holds the key
/// under a unique index, so however many servers raise the key at once, one row (and so one message) wins; a resolve
/// clears it (a conditional update: one recovery), and a raise after that is a new incident with a new row.
/// </summary>
public sealed class AlertIncident
{
    public Guid Id { get; init; }

    /// <summary>The incident key (<see cref="Alert.Key"/>), kept after the resolve for the history and the throttle.</summary>
    public required string Key { get; init; }

    /// <summary>The key while the incident fires, null once resolved: the unique index that decides "once per incident".</summary>
    public string? FiringKey { get; set; }

    public AlertLevel Level { get; init; }

    public required string Title { get; init; }

    public required string Message { get; init; }

    /// <summary>The user whose resource it concerns; null for an operators' alert.</summary>
    public Guid? OwnerId { get; init; }

    public DateTimeOffset FiringSince { get; init; }

    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>
    /// When the last message about this incident (its problem, then its recovery) was queued to the receivers; null while
    /// the throttle holds its problem message back (and then no recovery follows either: nobody heard of it).
    /// </summary>
    public DateTimeOffset? LastSentAt { get; set; }
}
