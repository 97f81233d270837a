using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Core.Progress;

namespace Poddle.Core.Classes;

public static class ClassesServiceCollectionExtensions
{
    /// <summary>Registers classes (<see cref="ClassService"/>), which show their students' progress (<c>AddPoddleProgress</c>, added here too).</summary>
    public static IServiceCollection AddPoddleClasses(this IServiceCollection services)
    {
        services.AddPoddleProgress();
        services.TryAddScoped<ClassService>();
        return services;
    }
}
