using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Core.Curriculum.Submissions;

namespace Poddle.Core.Progress;

public static class ProgressServiceCollectionExtensions
{
    /// <summary>
    /// Registers learners' progress: <see cref="ProgressService"/>, also as the <see cref="IGradedSubmissionListener"/>
    /// that grading records each grade through, students' <see cref="CodeDraftService"/> and <see cref="LearnerPreferenceService"/>.
    /// Needs an <c>IProblemCatalog</c> (<c>AddPoddleCurriculum</c>); drafts also the executor and <c>ExecutionOptions</c>.
    /// </summary>
    public static IServiceCollection AddPoddleProgress(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ProgressService>();
        services.TryAddScoped<IGradedSubmissionListener>(sp => sp.GetRequiredService<ProgressService>());
        services.TryAddScoped<CodeDraftService>();
        services.TryAddScoped<LearnerPreferenceService>();
        return services;
    }
}
