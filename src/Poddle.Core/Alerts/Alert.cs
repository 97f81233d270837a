namespace Poddle.Core.Alerts;

/// <summary>
/// One incident, as a feature raises it. <see cref="Key"/> names the incident ("orphans:runpod",
/// "pool:{id}:budget", "deployment:{id}:crash-loop"): while a key is firing, raising it again sends nothing more.
/// </summary>
/// <param name="Key">Stable per incident; lower-case, at most 200 characters.</param>
/// <param name="Level">How urgent.</param>
/// <param name="Title">One line, e.g. "3 orphaned pods costing $2.37/hr".</param>
/// <param name="Message">The details a receiver shows.</param>
/// <param name="OwnerId">The user whose resource it concerns; null for an operators' alert.</param>
public sealed record Alert(string Key, AlertLevel Level, string Title, string Message, Guid? OwnerId);
