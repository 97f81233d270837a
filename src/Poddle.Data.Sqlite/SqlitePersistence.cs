using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Data.Sqlite.Jobs;
using System.Data.Common;

namespace Poddle.Data.Sqlite;

public static class SqlitePersistence
{
    /// <summary>
    /// Registers the SQLite store. Every connection runs in WAL mode with a busy timeout, so readers never block
    /// the writer and a briefly locked database waits instead of failing.
    /// </summary>
    public static IServiceCollection AddSqlitePersistence(this IServiceCollection services, string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            DefaultTimeout = 30,
        };
        services.AddDbContext<SqlitePoddleDbContext>(options => options
            .UseSqlite(builder.ConnectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqlitePoddleDbContext).Assembly.GetName().Name))
            .AddInterceptors(new SqlitePragmaInterceptor(), JobCommitInterceptor.Instance));
        services.AddScoped<PoddleDbContext>(sp => sp.GetRequiredService<SqlitePoddleDbContext>());
        services.AddSingleton<IDatabaseErrors, SqliteDatabaseErrors>();
        services.AddSingleton(new DatabaseInfo(DatabaseProvider.Sqlite));
        services.AddSingleton<IJobClaimer, SqliteJobClaimer>();
        return services;
    }

    /// <summary>Sets the pragmas that are per connection (WAL itself is persistent, but is cheap to assert).</summary>
    private sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
