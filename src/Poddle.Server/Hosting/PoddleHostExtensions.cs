using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Server.Proxy;

namespace Poddle.Server.Hosting;

/// <summary>The web host itself: logging, Kestrel, the listen addresses, the agent listener, the root settings.</summary>
internal static class PoddleHostExtensions
{
    /// <summary>Configures the web host for <paramref name="host"/>, listening on <paramref name="listenUrls"/>; returns the agent listener.</summary>
    public static AgentListener AddPoddleHost(this WebApplicationBuilder builder, PoddleHost host, string listenUrls)
    {
        ConfigureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = host.Options.MaxRequestBodyBytes;
        });
        builder.WebHost.UseUrls(listenUrls);

        // Chosen before there is a container: it is a listen address (Agents:ListenPort, checked by AgentListener itself).
        var serverUrls = ProxyOptionsValidator.SplitUrls(listenUrls);
        var agentListener = AgentListener.Resolve(
            builder.Configuration.GetValue<int>($"{AgentOptions.SectionName}:{nameof(AgentOptions.ListenPort)}"), host.DataDir, serverUrls);

        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(host.Options.ShutdownTimeoutSeconds));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(agentListener);
        services.AddSingleton(new ServerListenUrls(serverUrls));
        services.AddHostedService<AgentListener.Binder>();
        services.AddValidatedOptions<ServerOptions, ServerOptionsValidator>(ServerOptions.SectionName);
        return agentListener;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (Console.IsOutputRedirected)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        // Data protection is pulled in by authentication but protects nothing here (no cookies), so its key warnings are noise.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
    }
}
