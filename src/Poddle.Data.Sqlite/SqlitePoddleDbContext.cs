using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Poddle.Core.Persistence;

namespace Poddle.Data.Sqlite;

/// <summary>
/// The SQLite flavour of the model. SQLite has no timestamp type and EF cannot compare or order
/// DateTimeOffset values stored as text, so every DateTimeOffset is stored as UTC microseconds since the
/// Unix epoch (the same precision PostgreSQL keeps), which orders and compares as an integer.
/// </summary>
public sealed class SqlitePoddleDbContext(DbContextOptions<SqlitePoddleDbContext> options) : PoddleDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMicrosecondsConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMicrosecondsConverter>();
    }

    /// <summary>The stored form of a timestamp, for hand-written SQL (the queue's claim).</summary>
    public static long ToUnixMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private sealed class UnixMicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => ToUnixMicroseconds(value),
        value => new DateTimeOffset(DateTimeOffset.UnixEpoch.Ticks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero));
}
