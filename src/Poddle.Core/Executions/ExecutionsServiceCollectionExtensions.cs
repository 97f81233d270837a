using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

public static class ExecutionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the execution service with its options (section "Execution", validated at start; <paramref name="configure"/>
    /// runs after the binding), its job lane ("execution", <see cref="ExecutionOptions.Concurrency"/> workers), its
    /// handler, the expiry job and the metrics. The host registers the <c>ICodeExecutor</c> (the sandbox driver).
    /// </summary>
    public static IServiceCollection AddPoddleExecutions(this IServiceCollection services, Action<OptionsBuilder<ExecutionOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<ExecutionOptions, ExecutionOptionsValidator>(ExecutionOptions.SectionName);
        configure?.Invoke(options);
        services.AddMetrics();
        services.TryAddSingleton<ExecutionNotifier>();
        services.TryAddSingleton<ExecutionMetrics>();
        services.TryAddScoped<ExecutionRateLimiter>();
        services.TryAddScoped<ExecutionService>();
        services.AddJobHandler<ExecutionJobHandler>(ExecutionService.JobKind);
        services.AddJobHandler<ExecutionExpiryJob>(ExecutionExpiryJob.JobKind);
        services.AddJobLane(sp => new JobLane(ExecutionService.JobKind, [ExecutionService.JobKind], sp.GetRequiredService<IOptions<ExecutionOptions>>().Value.Concurrency));

        // An execution claimed before the executor knows its languages would fail as "language not available".
        services.AddJobReadinessGate(ExecutionService.ExecutorGate, [ExecutionService.JobKind], sp => sp.GetRequiredService<ICodeExecutor>().Ready);
        services.AddSingleton(sp => new RecurringJobDefinition(
            ExecutionExpiryJob.ScheduleName,
            sp.GetRequiredService<IOptions<ExecutionOptions>>().Value.ExpirySchedule,
            ExecutionExpiryJob.JobKind));
        return services;
    }
}
