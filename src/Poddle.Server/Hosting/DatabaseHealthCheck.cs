using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Poddle.Core.Persistence;

namespace Poddle.Server.Hosting;

/// <summary>Ready when the database answers and every migration of this build is applied.</summary>
internal sealed class DatabaseHealthCheck(PoddleDbContext db, DatabaseInfo database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = database.Provider.ToString().ToLowerInvariant() };
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("The database does not answer.", data: data);
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                data["pendingMigrations"] = pending;
                return HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied.", data: data);
            }

            return HealthCheckResult.Healthy("Reachable; migrations applied.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database check failed: " + ex.GetType().Name, data: data);
        }
    }
}
