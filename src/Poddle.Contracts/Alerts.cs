namespace Poddle.Contracts;

/// <summary>
/// One alert incident (<c>GET /api/alerts</c>): <c>level</c> info, warning or critical; <c>firing</c> until
/// <c>resolvedAt</c>; <c>ownerId</c> null for an operators' alert (admins see those); docs/alerts.md.
/// </summary>
public sealed record AlertResponse(
    Guid Id,
    string Key,
    string Level,
    string Title,
    string Message,
    Guid? OwnerId,
    bool Firing,
    DateTimeOffset FiringSince,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? LastSentAt);

/// <summary>
/// Your alert receiver (<c>PUT /api/alerts/settings</c>): <c>webhookUrl</c> a public http(s) URL or null for none,
/// <c>format</c> json, slack or discord (default json), <c>minLevel</c> info, warning or critical (default warning).
/// </summary>
public sealed record AlertSettingsRequest(string? WebhookUrl, string? Format, string? MinLevel);

/// <summary>
/// Your alert receiver as stored: the webhook only by its origin (its path is a key, so it is write-only), and whether
/// alerts also reach your mail (a verified address on a server that sends mail).
/// </summary>
public sealed record AlertSettingsResponse(string? WebhookOrigin, string Format, string MinLevel, bool Email);
