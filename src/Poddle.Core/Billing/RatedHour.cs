namespace Poddle.Core.Billing;

/// <summary>
/// A marker that every deployment's usage in the hour has been charged. Written after the hour's last charge, so a rater
/// that stops mid-hour leaves it unmarked and the next one finishes the hour; raters resume after the latest marker.
/// </summary>
public sealed class RatedHour
{
    public DateTimeOffset HourStart { get; init; }

    public DateTimeOffset RatedAt { get; init; }
}
