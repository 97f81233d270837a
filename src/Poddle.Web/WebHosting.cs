using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Poddle.Web.Auth;
using Poddle.Web.Components;
using Poddle.Web.Components.Teach;
using Poddle.Web.Localization;
using Poddle.Web.Security;

namespace Poddle.Web;

/// <summary>Registers the web app's services and maps it at / (the API keeps /api, /api/v2, /docs).</summary>
public static class WebHosting
{
    public static IServiceCollection AddPoddleWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();

        // No ResourcesPath: a marker class's namespace is its resources' name (Poddle.Web.Resources.ShellText → Resources/ShellText.resx).
        services.AddLocalization();
        services.AddMudServices();
        services.AddPoddleTeach();
        return services;
    }

    /// <summary>
    /// Finds the static web assets (MudBlazor, Monaco, Blazor's script, app.css) of the program that runs: in a build
    /// output they stay where they are (the NuGet cache, the projects' wwwroot), listed by
    /// <c>{program}.staticwebassets.runtime.json</c>; a published program has them in its wwwroot. The host's
    /// application name is Poddle.Server's, not the program's, so the manifest is named here rather than guessed.
    /// </summary>
    public static WebApplicationBuilder UsePoddleWebAssets(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (ManifestPath("runtime") is { } runtime)
        {
            builder.WebHost.UseSetting(WebHostDefaults.StaticWebAssetsKey, runtime);
            builder.WebHost.UseStaticWebAssets();
        }

        return builder;
    }

    /// <summary>Static assets and the Razor components. Call after routing, authentication and authorization.</summary>
    public static WebApplication MapPoddleWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The web app's requests only: the API keeps the invariant culture and its own headers.
        app.Use(SecurityHeaders.AddAsync);
        app.UseWhen(http => WebAuthentication.IsWebRequest(http.Request), web => web.UseRequestLocalization(WebCultures.Options()));
        app.UseAntiforgery();
        app.MapPreferenceEndpoints();

        // A host without the manifest (a test host that embeds the server) serves the pages without their assets.
        if (ManifestPath("endpoints") is { } endpoints)
        {
            app.MapStaticAssets(endpoints);
        }

        // Blazor's own frame-ancestors header is left out: SecurityHeaders sends the whole policy ('none').
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }

    private static string? ManifestPath(string kind)
    {
        var program = Assembly.GetEntryAssembly()?.GetName().Name;
        var path = Path.Combine(AppContext.BaseDirectory, $"{program}.staticwebassets.{kind}.json");
        return program is not null && File.Exists(path) ? path : null;
    }
}
