using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Poddle.Core.Curriculum;

/// <summary>Registers the curriculum content service.</summary>
public static class CurriculumServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cached <see cref="ProblemCatalog"/> (also as the <see cref="IProblemCatalog"/> that grading and progress
    /// read), <see cref="ProblemService"/> and the starter <see cref="CurriculumSeeder"/>. The host registers the
    /// <c>ICodeExecutor</c> that checks reference solutions, the database and the <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddPoddleCurriculum(this IServiceCollection services)
    {
        services.TryAddSingleton<ProblemCatalog>();
        services.TryAddSingleton<IProblemCatalog>(sp => sp.GetRequiredService<ProblemCatalog>());
        services.TryAddScoped<ProblemService>();
        services.TryAddScoped<CurriculumSeeder>();
        return services;
    }
}
