using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;

namespace Poddle.Core.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the queue, the runner, the recurring scheduler and the built-in maintenance job, with the options of
    /// section "Jobs" (validated at start, together with <see cref="JobKindsValidator"/>'s check that every kind a lane or
    /// a readiness gate names has a handler). The persistence registration supplies the <see cref="IJobClaimer"/>.
    /// <paramref name="configure"/> runs after the binding (tests set values there).
    /// </summary>
    public static IServiceCollection AddPoddleJobs(this IServiceCollection services, Action<OptionsBuilder<JobsOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<JobsOptions, JobsOptionsValidator>(JobsOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, JobKindsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new JobSignal(sp.GetServices<JobLane>()));
        services.TryAddSingleton(_ => ServerInstance.Ephemeral());
        services.TryAddSingleton<JobReadiness>();
        services.TryAddScoped<JobQueue>();
        services.TryAddSingleton<JobProcessor>();
        services.TryAddSingleton<RecurringJobScheduler>();
        services.AddHostedService<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<RecurringJobScheduler>());

        services.AddJobHandler<MaintenanceJob>(MaintenanceJob.JobKind);
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IMaintenanceTask, SucceededJobsCleanup>());
        services.AddSingleton(sp => new RecurringJobDefinition(
            MaintenanceJob.ScheduleName,
            sp.GetRequiredService<IOptions<JobsOptions>>().Value.MaintenanceSchedule,
            MaintenanceJob.JobKind));
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> as the handler of jobs of <paramref name="kind"/>: a scoped service keyed
    /// by the kind, so <see cref="JobProcessor"/> builds the one handler a job needs, in the job's own scope.
    /// </summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind)
        where THandler : class, IJobHandler
    {
        services.TryAddKeyedScoped<IJobHandler, THandler>(kind);
        return services;
    }

    /// <summary>Adds a lane: its kinds run only on its own workers (<paramref name="lane"/> may read options).</summary>
    public static IServiceCollection AddJobLane(this IServiceCollection services, Func<IServiceProvider, JobLane> lane)
    {
        services.AddSingleton(lane);
        return services;
    }

    /// <summary>
    /// Holds back the jobs of <paramref name="kinds"/> in this process until <paramref name="ready"/> completes (their
    /// handlers need something that starts after the workers, such as the code executor's languages).
    /// </summary>
    public static IServiceCollection AddJobReadinessGate(this IServiceCollection services, string name, IReadOnlyList<string> kinds, Func<IServiceProvider, Task> ready)
    {
        services.AddSingleton(new JobReadinessGate(name, kinds, ready));
        return services;
    }

    /// <summary>Declares a recurring job; the scheduler creates or updates its row at start.</summary>
    public static IServiceCollection AddRecurringJob(this IServiceCollection services, string name, string cron, string kind, string? payload = null)
    {
        if (!JobsOptionsValidator.IsCron(cron))
        {
            throw new ArgumentException($"Recurring job '{name}': '{cron}' is not a five-field cron expression.", nameof(cron));
        }

        services.AddSingleton(new RecurringJobDefinition(name, cron, kind, payload));
        return services;
    }
}
