using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Poddle.Core.Persistence;
using Poddle.Data.Postgres;
using Poddle.Data.Sqlite;
using Xunit;

namespace Poddle.Testing;

/// <summary>
/// A fresh, migrated database on a real engine: a SQLite file in a temporary directory, or a new database on the
/// PostgreSQL server named by PODDLE_TEST_POSTGRES (default: the local server the test command starts).
/// PostgreSQL is never optional: when it is missing the tests fail and say how to start it.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresEnvironmentVariable = "PODDLE_TEST_POSTGRES";
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=poddle;Password=poddle;Database=postgres";

    private readonly string? _directory;
    private readonly string? _postgresDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string setting, string? directory, string? postgresDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Setting = setting;
        _directory = directory;
        _postgresDatabase = postgresDatabase;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The provider connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The value for the server's "Database" setting (PODDLE_DATABASE).</summary>
    public string Setting { get; }

    /// <summary>The providers every storage-facing test runs against.</summary>
    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        var database = provider == DatabaseProvider.Sqlite ? CreateSqlite() : await CreatePostgresAsync();
        if (migrate)
        {
            await using var db = database.CreateContext();
            await db.Database.MigrateAsync();
        }

        return database;
    }

    /// <summary>Registers this database with the provider's real persistence registration.</summary>
    public IServiceCollection AddTo(IServiceCollection services) =>
        Provider == DatabaseProvider.Sqlite
            ? services.AddSqlitePersistence(ConnectionString)
            : services.AddPostgresPersistence(ConnectionString);

    /// <summary>A context outside DI, for arranging and asserting.</summary>
    public PoddleDbContext CreateContext()
    {
        var services = AddTo(new ServiceCollection()).BuildServiceProvider();
        var scope = services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresDatabase is not null)
        {
            await DropPostgresDatabaseAsync(_postgresDatabase);
        }

        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A server process may still hold the file for a moment; the temp directory is cleaned by the OS.
            }
        }
    }

    /// <summary>
    /// Drops the test database. WITH (FORCE) cannot end a backend of another role (an autovacuum worker that is
    /// visiting the new database), which then fails the drop for a moment; retry briefly, then leave it: the name is
    /// unique and a leftover empty database must not fail the test that used it.
    /// </summary>
    private static async Task DropPostgresDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString());
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                if (attempt == 10)
                {
                    return;
                }

                await Task.Delay(200);
            }
        }
    }

    private static TestDatabase CreateSqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "poddle-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "poddle.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path }.ConnectionString;
        return new TestDatabase(DatabaseProvider.Sqlite, connectionString, "sqlite:" + path, directory, null);
    }

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var name = "poddle_test_" + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is required for these tests and is not reachable ({ex.Message}). Run the README's test command " +
                $"(bash .ci/run), which installs and starts it, or point {PostgresEnvironmentVariable} at a server whose user may CREATE DATABASE.", ex);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString()) { Database = name }.ConnectionString;
        return new TestDatabase(DatabaseProvider.Postgres, connectionString, connectionString, null, name);
    }

    private static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable(PostgresEnvironmentVariable) is { Length: > 0 } configured ? configured : DefaultPostgres;
}
