using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Core.Curriculum.Submissions;

namespace Poddle.Core.Progress;

public static class ProgressServiceCollectionExtensions
{
    /// <summary>
    /// Registers learners' progress: <see cref="ProgressService"/>, also as the <see cref="IGradedSubmissionListener"/>
    /// that grading records each grade through. Needs an <c>IProblemCatalog</c> (<c>AddPoddleCurriculum</c>).
    /// </summary>
    public static IServiceCollection AddPoddleProgress(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ProgressService>();
        services.TryAddScoped<IGradedSubmissionListener>(sp => sp.GetRequiredService<ProgressService>());
        return services;
    }
}
