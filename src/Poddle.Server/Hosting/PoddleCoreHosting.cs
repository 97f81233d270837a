using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Alerts;
using Poddle.Core.Agents;
using Poddle.Core.Billing;
using Poddle.Core.Billing.Payments;
using Poddle.Core.Classes;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Deployments;
using Poddle.Core.Email;
using Poddle.Core.Executions;
using Poddle.Core.Fleet;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Progress;
using Poddle.Core.Projects;
using Poddle.Data.Postgres;
using Poddle.Data.Sqlite;

namespace Poddle.Server.Hosting;

/// <summary>Core's features and the store, as this host registers them.</summary>
internal static class PoddleCoreHosting
{
    /// <summary>The provider <paramref name="database"/> names.</summary>
    public static IServiceCollection AddPoddlePersistence(this IServiceCollection services, DatabaseSettings database) =>
        database.Provider == DatabaseProvider.Postgres
            ? services.AddPostgresPersistence(database.ConnectionString)
            : services.AddSqlitePersistence(database.ConnectionString);

    /// <summary>
    /// Every Core feature, each binding its own options from its section; the keys kept in <paramref name="dataDir"/>
    /// (loaded by <see cref="PoddleHost.ValidateAtBuild"/>); the code executor the executions use.
    /// </summary>
    public static IServiceCollection AddPoddleCore(this IServiceCollection services, string dataDir)
    {
        services.AddSingleton(sp => new AccessTokenSigningKey(
            SigningKeyStore.LoadOrCreate(sp.GetRequiredService<IOptions<AuthOptions>>().Value.SigningKey, dataDir)));
        services.AddPoddleAccounts();
        services.AddPoddleEmail();
        services.AddPoddleAlerts();
        services.AddScoped<ProjectService>();
        services.AddSingleton<Pods.PodOperations>();

        // Who this server is across restarts (kept in the data directory): it takes back its own jobs and leases after a kill -9.
        services.AddSingleton(sp => ServerInstance.Open(dataDir, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ServerInstance>()));
        services.AddPoddleJobs();
        services.AddPoddleExecutions();
        services.AddPoddleCodeExecutor();
        services.AddPoddleCurriculum();
        services.AddPoddleGrading();
        services.AddPoddleProgress();
        services.AddPoddleClasses();
        services.AddPoddleDeployments();
        services.AddPoddleAgents();
        services.AddPoddlePools();
        services.AddPoddleFleet();
        services.AddPoddleBilling();
        services.AddPoddlePayments();
        return services;
    }
}
