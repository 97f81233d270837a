using Microsoft.Data.Sqlite;
using Poddle.Core.Persistence;
using Poddle.Data.Postgres;

namespace Poddle.Server.Hosting;

/// <summary>Which database the "Database" setting names, and its provider connection string.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>Parses the setting; returns an error naming the key, or null when <paramref name="settings"/> was set.</summary>
    public static string? TryParse(string? value, string dataDir, out DatabaseSettings? settings)
    {
        settings = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            settings = new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDir, "poddle.db") }.ConnectionString);
            return null;
        }

        var trimmed = value.Trim();
        try
        {
            if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                settings = new(DatabaseProvider.Postgres, PostgresPersistence.NormalizeConnectionString(trimmed));
                return null;
            }

            if (trimmed.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            {
                var path = trimmed["sqlite:".Length..];
                if (path.Length == 0)
                {
                    return "Database: 'sqlite:' needs a file path, e.g. sqlite:/var/lib/poddle/poddle.db.";
                }

                settings = new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString);
                return null;
            }

            if (trimmed.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
            {
                settings = new(DatabaseProvider.Sqlite, new SqliteConnectionStringBuilder(trimmed).ConnectionString);
                return null;
            }

            if (trimmed.Contains("Host=", StringComparison.OrdinalIgnoreCase))
            {
                settings = new(DatabaseProvider.Postgres, new Npgsql.NpgsqlConnectionStringBuilder(trimmed).ConnectionString);
                return null;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or KeyNotFoundException or FormatException)
        {
            return $"Database (PODDLE_DATABASE) is not a valid connection string: {ex.Message}";
        }

        return "Database (PODDLE_DATABASE) must be empty (SQLite in the data directory), postgres://user:password@host:5432/db, a 'Host=...' PostgreSQL connection string, sqlite:/path/file.db or 'Data Source=...'.";
    }
}
