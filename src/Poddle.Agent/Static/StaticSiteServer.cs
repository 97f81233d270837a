using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Poddle.Agent.Static;

/// <summary>
/// `poddle static`: Kestrel serving one site directory through <see cref="StaticSiteHandler"/>, with the access log and
/// CORS in front when asked for. The directory is indexed before the port opens and again whenever it changes.
/// </summary>
public sealed class StaticSiteServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StaticSiteHandler _handler;
    private readonly StaticSiteOptions _options;
    private readonly AccessLog? _accessLog;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer? _debounce;
    private readonly Lock _reindexGate = new();
    private bool _stopped;

    private StaticSiteServer(WebApplication app, StaticSiteHandler handler, StaticSiteOptions options, AccessLog? accessLog, ILogger logger, TimeProvider time)
    {
        _app = app;
        _handler = handler;
        _options = options;
        _accessLog = accessLog;
        _logger = logger;
        if (options.Watch)
        {
            _debounce = time.CreateTimer(_ => Reindex(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            try
            {
                _watcher = new FileSystemWatcher(handler.Index.Root) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
                FileSystemEventHandler changed = (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
                _watcher.Changed += changed;
                _watcher.Created += changed;
                _watcher.Deleted += changed;
                _watcher.Renamed += (_, _) => _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
                _watcher.EnableRaisingEvents = true;
            }
            catch (IOException ex)
            {
                // inotify's watch limit (fs.inotify.max_user_watches) reached: serve what was indexed, unwatched.
                _watcher?.Dispose();
                _watcher = null;
                StaticSiteLog.NotWatching(logger, handler.Index.Root, ex.Message);
            }
        }
    }

    /// <summary>The addresses it listens on (the real port when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Addresses =>
        [.. (_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => new Uri(a))];

    /// <summary>The current index of the site.</summary>
    public StaticSiteIndex Index => _handler.Index;

    /// <summary>
    /// Indexes the site and starts listening. Throws <see cref="DirectoryNotFoundException"/> for a bad directory,
    /// <see cref="ArgumentException"/> for invalid options, and Kestrel's IOException when the port is taken.
    /// </summary>
    /// <param name="options">What to serve and how.</param>
    /// <param name="standardOutput">Where the access log goes when it has no file.</param>
    /// <param name="configureLogging">The server's logging (default: one line per event on the console, warnings of ASP.NET Core only).</param>
    /// <param name="time">The clock of the access log.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<StaticSiteServer> StartAsync(
        StaticSiteOptions options,
        TextWriter? standardOutput = null,
        Action<ILoggingBuilder>? configureLogging = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        time ??= TimeProvider.System;
        var root = StaticSiteIndex.ResolveRoot(options.Root);
        var index = StaticSiteIndex.Build(root, options.Limits, options.MaxAgeSeconds);

        // The empty builder reads no configuration: nothing in the served directory (appsettings.json, say) or in
        // ASPNETCORE_* variables changes what is served. The content root is not the site.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // A compressed bundle (typically 50-150 KB) is written in one go instead of stalling at Kestrel's 64 KB
            // default and resuming when the socket drains: fewer async round trips per response. The cost is memory
            // only for slow clients, at most this much per connection.
            kestrel.Limits.MaxResponseBufferSize = 512 * 1024;
            Listen(kestrel, options.Host, options.Port);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // The host logs a failed start (a port in use, say) with its stack trace before StartAsync rethrows it; the
        // caller reports that exception once, in a sentence, so the host's copy is not logged.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddFilter("Poddle", LogLevel.Information);
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            configureLogging(builder.Logging);
        }

        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors();
        }

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Poddle.Agent.Static");
        var accessLog = options.AccessLog ? AccessLog.Open(options.AccessLogPath, options.AccessLogFormat, time, standardOutput ?? Console.Out) : null;
        if (accessLog is not null)
        {
            app.Use(accessLog.InvokeAsync);
        }

        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors(policy =>
            {
                if (options.CorsOrigins.Contains("*"))
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins([.. options.CorsOrigins]);
                }

                policy.WithMethods("GET", "HEAD").AllowAnyHeader().WithExposedHeaders("ETag", "Content-Length").SetPreflightMaxAge(TimeSpan.FromDays(1));
            });
        }

        var handler = new StaticSiteHandler(index, options.Spa);
        app.Run(handler.InvokeAsync);
        foreach (var refused in index.Refused)
        {
            StaticSiteLog.Refused(logger, refused);
        }

        if (index.IndexHtml is null)
        {
            StaticSiteLog.NoIndexHtml(logger);
        }

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            if (accessLog is not null)
            {
                await accessLog.DisposeAsync();
            }

            throw;
        }

        var server = new StaticSiteServer(app, handler, options, accessLog, logger, time);
        StaticSiteLog.Serving(logger, root, string.Join(", ", server.Addresses), index.FileCount, index.MemoryBytes / 1048576.0, (long)index.BuildTime.TotalMilliseconds);
        return server;
    }

    /// <summary>Completes when the host stops: SIGTERM/SIGINT (graceful), <paramref name="cancellationToken"/>, or <see cref="StopAsync"/>.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
        using (cancellationToken.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        await StopAsync();
    }

    /// <summary>Stops listening, lets requests in flight finish (up to the shutdown timeout), flushes the access log.</summary>
    public async Task StopAsync()
    {
        lock (_reindexGate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        StaticSiteLog.Stopping(_logger, _options.ShutdownTimeout.TotalSeconds);
        _watcher?.Dispose();
        _debounce?.Dispose();
        using var timeout = new CancellationTokenSource(_options.ShutdownTimeout);
        await _app.StopAsync(timeout.Token);
        if (_accessLog is not null)
        {
            await _accessLog.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string host, int port)
    {
        if (host is "*" or "0.0.0.0")
        {
            kestrel.Listen(IPAddress.Any, port);
        }
        else if (host == "::")
        {
            kestrel.Listen(IPAddress.IPv6Any, port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            kestrel.Listen(address, port);
        }
        else
        {
            throw new ArgumentException($"--host: '{host}' is not an IP address, localhost, * or ::.", nameof(host));
        }
    }

    private void Reindex()
    {
        lock (_reindexGate)
        {
            if (_stopped)
            {
                return;
            }

            try
            {
                var previous = _handler.Index;
                var index = StaticSiteIndex.Build(previous.Root, _options.Limits, _options.MaxAgeSeconds, previous);
                _handler.Index = index;
                StaticSiteLog.Reindexed(_logger, index.Root, index.FileCount, (long)index.BuildTime.TotalMilliseconds);
            }
#pragma warning disable CA1031 // A failed re-index must not stop the server: it keeps serving the previous index.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                StaticSiteLog.ReindexFailed(_logger, _handler.Index.Root, ex);
            }
        }
    }
}
