using System.Text;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Accounts;
using Poddle.Core.Projects;

namespace Poddle.Core.Persistence;

/// <summary>
/// The provider-neutral model. Each provider project derives its own context (so each has its own
/// migrations set) and registers it as this type; use cases depend only on this class.
/// Tables and columns are snake_case so hand-written SQL (the queue's claim) reads the same on both databases.
/// </summary>
public class PoddleDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<UserSession> Sessions => Set<UserSession>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<Executions.Execution> Executions => Set<Executions.Execution>();

    public DbSet<Deployments.Deployment> Deployments => Set<Deployments.Deployment>();

    public DbSet<Deployments.DeploymentRevision> DeploymentRevisions => Set<Deployments.DeploymentRevision>();

    public DbSet<Deployments.Replica> Replicas => Set<Deployments.Replica>();

    public DbSet<Deployments.DeploymentEvent> DeploymentEvents => Set<Deployments.DeploymentEvent>();

    public DbSet<Deployments.CustomDomain> CustomDomains => Set<Deployments.CustomDomain>();

    public DbSet<Deployments.SourceBundle> SourceBundles => Set<Deployments.SourceBundle>();

    public DbSet<Pools.Pool> Pools => Set<Pools.Pool>();

    public DbSet<Pools.PoolJob> PoolJobs => Set<Pools.PoolJob>();

    public DbSet<Deployments.ReplicaRun> ReplicaRuns => Set<Deployments.ReplicaRun>();

    public DbSet<Pools.Runtime.PoolWorkerRun> PoolWorkerRuns => Set<Pools.Runtime.PoolWorkerRun>();

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        // Replica runs (usage metering) are written with the phase change that causes them.
        global::Poddle.Core.Deployments.ReplicaRunRecorder.RecordAsync(this, synchronous: true, CancellationToken.None).GetAwaiter().GetResult();
        global::Poddle.Core.Pools.Runtime.PoolWorkerRunRecorder.RecordAsync(this, synchronous: true, CancellationToken.None).GetAwaiter().GetResult();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc />
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await global::Poddle.Core.Deployments.ReplicaRunRecorder.RecordAsync(this, synchronous: false, cancellationToken);
        await global::Poddle.Core.Pools.Runtime.PoolWorkerRunRecorder.RecordAsync(this, synchronous: false, cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PoddleDbContext).Assembly);

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName() ?? "pk"));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? "ix"));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName() ?? "fk"));
            }
        }
    }

    /// <summary>"LeaseExpiresAt" → "lease_expires_at".</summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
