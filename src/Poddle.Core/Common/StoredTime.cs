namespace Poddle.Core.Common;

/// <summary>
/// Timestamps as the stores keep them. PostgreSQL's timestamptz and the SQLite mapping both hold microseconds, so a
/// value taken at full 100 ns precision would come back different from what a response already reported.
/// </summary>
public static class StoredTime
{
    /// <summary>The current UTC time truncated to whole microseconds.</summary>
    public static DateTimeOffset GetStoredUtcNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }
}
