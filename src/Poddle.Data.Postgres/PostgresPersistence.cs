using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Data.Postgres.Jobs;

namespace Poddle.Data.Postgres;

public static class PostgresPersistence
{
    /// <summary>Registers the PostgreSQL store: one database shared by every Poddle server.</summary>
    public static IServiceCollection AddPostgresPersistence(this IServiceCollection services, string connectionString)
    {
        services.AddDbContext<PostgresPoddleDbContext>(options => options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PostgresPoddleDbContext).Assembly.GetName().Name))
            .AddInterceptors(JobCommitInterceptor.Instance));
        services.AddScoped<PoddleDbContext>(sp => sp.GetRequiredService<PostgresPoddleDbContext>());
        services.AddSingleton<IDatabaseErrors, PostgresDatabaseErrors>();
        services.AddSingleton(new DatabaseInfo(DatabaseProvider.Postgres));
        services.AddSingleton<IJobClaimer, PostgresJobClaimer>();
        return services;
    }

    /// <summary>
    /// Accepts both Npgsql keyword strings and postgres:// URLs (the form most hosting providers hand out).
    /// </summary>
    public static string NormalizeConnectionString(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return value;
        }

        var uri = new Uri(value);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : string.Empty;
        }

        return builder.ConnectionString;
    }
}
