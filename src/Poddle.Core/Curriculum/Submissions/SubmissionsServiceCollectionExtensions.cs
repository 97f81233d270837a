using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>Registration of grading.</summary>
public static class SubmissionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers graded submissions with their options (section "Grading", validated at start; <paramref name="configure"/>
    /// runs after the binding), their job lane ("grading", <see cref="GradingOptions.Concurrency"/> workers) and handler,
    /// the grader, and submissions' share of the execution rate limit. Needs <c>AddPoddleExecutions</c> (the executor,
    /// the shared rate limit), an <see cref="IProblemCatalog"/>, which the host registers, and an
    /// <see cref="IGradedSubmissionListener"/> (<c>AddPoddleProgress</c>).
    /// </summary>
    public static IServiceCollection AddPoddleGrading(this IServiceCollection services, Action<OptionsBuilder<GradingOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<GradingOptions, GradingOptionsValidator>(GradingOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddScoped(sp => new ProblemGrader(
            sp.GetRequiredService<ICodeExecutor>(),
            new GraderOptions { MaxParallelRuns = sp.GetRequiredService<IOptions<GradingOptions>>().Value.MaxParallelRuns }));
        services.TryAddScoped<SubmissionService>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IRateLimitedWork, SubmissionRateLimitedWork>());
        services.AddJobHandler<GradingJobHandler>(SubmissionService.JobKind);
        services.AddJobLane(sp => new JobLane(SubmissionService.JobKind, [SubmissionService.JobKind], sp.GetRequiredService<IOptions<GradingOptions>>().Value.Concurrency));

        // Grading runs the code executor too: no submission is graded before it knows its languages.
        services.AddJobReadinessGate(ExecutionService.ExecutorGate, [SubmissionService.JobKind], sp => sp.GetRequiredService<ICodeExecutor>().Ready);
        return services;
    }
}
