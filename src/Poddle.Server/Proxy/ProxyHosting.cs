using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Server.Hosting;

namespace Poddle.Server.Proxy;

/// <summary>Wires the reverse proxy into the server: services, the HTTPS listeners with SNI, and the middleware.</summary>
public static class ProxyHosting
{
    /// <summary>
    /// Registers the proxy with its options (section "Proxy", bound and validated at start like every other) and, when
    /// Proxy:Tls:Urls is set, adds those HTTPS addresses to <paramref name="urls"/> with a certificate chosen per SNI host
    /// name. Returns the addresses to listen on. The listen addresses are chosen before there is a container, so the
    /// section is also read here, checked by the same validator: a bad setting throws
    /// <see cref="StartupConfigurationException"/> naming its key before anything listens.
    /// </summary>
    public static string AddPoddleProxy(this WebApplicationBuilder builder, string urls)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ProxyOptions.SectionName);
        ProxyOptions proxy;
        try
        {
            proxy = section.Get<ProxyOptions>() ?? new ProxyOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupConfigurationException(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);
        }

        var validation = new ProxyOptionsValidator().Validate(null, proxy);
        if (validation.Failed)
        {
            throw new StartupConfigurationException(string.Join(Environment.NewLine, validation.Failures));
        }

        PrometheusMeterExport.Start();
        var services = builder.Services;
        services.AddValidatedOptions<ProxyOptions, ProxyOptionsValidator>(ProxyOptions.SectionName);
        services.AddHttpForwarder();
        services.TryAddSingleton<ProxyRouteLoader>();
        services.TryAddSingleton<ProxyRoutes>();
        services.AddHostedService(sp => sp.GetRequiredService<ProxyRoutes>());
        services.TryAddSingleton<ProxyHttpClient>();
        services.TryAddSingleton<ProxyTransformer>();
        services.TryAddSingleton<PassiveHealth>();
        services.TryAddSingleton<ProxyMetrics>();

        var tlsUrls = ProxyOptionsValidator.SplitUrls(proxy.Tls.Urls);
        if (tlsUrls.Length == 0)
        {
            return urls;
        }

        var directory = Path.GetFullPath(proxy.Tls.CertificatesDirectory!);
        services.AddSingleton(sp => new CertificateStore(
            directory, proxy.Tls.ReloadInterval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<CertificateStore>()));
        builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.ConfigureHttpsDefaults(https =>
        {
            var store = kestrel.ApplicationServices.GetRequiredService<CertificateStore>();
            https.ServerCertificateSelector = (_, serverName) => store.Select(serverName);
        }));
        return string.Join(';', ProxyOptionsValidator.SplitUrls(urls).Concat(tlsUrls));
    }

    /// <summary>Puts the proxy in front of everything else (after forwarded-header handling).</summary>
    public static IApplicationBuilder UsePoddleProxy(this IApplicationBuilder app)
    {
        // Created now so /metrics shows the proxy's instruments before its first request.
        _ = app.ApplicationServices.GetRequiredService<ProxyMetrics>();
        return app.UseMiddleware<ProxyMiddleware>();
    }
}
