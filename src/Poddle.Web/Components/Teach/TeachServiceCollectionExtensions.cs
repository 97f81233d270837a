using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Web.Markdown;

namespace Poddle.Web.Components.Teach;

/// <summary>What the teacher and admin pages need beyond Core's services (which the server registers).</summary>
public static class TeachServiceCollectionExtensions
{
    /// <summary>Registers <see cref="MarkdownRenderer"/> (shared with the student pages; registering it twice is harmless).</summary>
    public static IServiceCollection AddPoddleTeach(this IServiceCollection services)
    {
        services.TryAddSingleton<MarkdownRenderer>();
        return services;
    }
}
