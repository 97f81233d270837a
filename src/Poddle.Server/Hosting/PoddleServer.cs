using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Curriculum;
using Poddle.Core.Executions;
using Poddle.Core.Persistence;
using Poddle.Server.Proxy;
using Poddle.Server.RateLimiting;
using Poddle.Server.Telemetry;
using Poddle.Web;

namespace Poddle.Server.Hosting;

/// <summary>
/// Composes the Poddle server. Configuration, lowest precedence first: built-in defaults, the JSON config file,
/// PODDLE_* environment variables (PODDLE_Section__Key, plus the documented short aliases), then the values
/// `poddle serve` passes (--urls, --data-dir).
/// </summary>
public static partial class PoddleServer
{
    public const string DefaultUrls = "http://localhost:8080";

    /// <summary>Short environment names people expect, mapped to configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentAliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PODDLE_DATA_DIR"] = "DataDir",
        ["PODDLE_DATABASE"] = "Database",
        ["PODDLE_URLS"] = "Urls",
        ["PODDLE_ADMIN_EMAIL"] = "Admin:Email",
        ["PODDLE_ADMIN_USERNAME"] = "Admin:Username",
        ["PODDLE_ADMIN_PASSWORD"] = "Admin:Password",
        ["PODDLE_JWT_SIGNING_KEY"] = "Auth:SigningKey",
        ["PODDLE_PISTON_ALLOW_ANONYMOUS"] = "Piston:AllowAnonymous",
    };

    /// <summary>
    /// Builds the server; throws <see cref="StartupConfigurationException"/> naming the key of a bad setting. A table of
    /// contents: each feature registers itself, its options (bound from their section, validated once, here) and its
    /// plug-ins in its own <c>AddPoddleXxx</c>.
    /// </summary>
    public static WebApplication Build(ServerStartOptions start, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(PoddleServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureConfiguration(builder.Configuration, start);

        // What the host is made of (data directory, database, listen addresses) is decided before there is a container.
        var host = PoddleHost.Read(builder.Configuration);
        var listenUrls = builder.AddPoddleProxy(builder.Configuration["Urls"] is { Length: > 0 } urls ? urls : DefaultUrls);
        var agentListener = builder.AddPoddleHost(host, listenUrls);
        builder.UsePoddleWebAssets();

        builder.Services
            .AddPoddlePersistence(host.Database)
            .AddPoddleCore(host.DataDir)
            .AddPoddleDrivers(builder.Configuration, host.DataDir, agentListener.Port)
            .AddPoddleTelemetry(builder.Configuration)
            .AddPoddleRateLimiting()
            .AddPoddleApi()
            .AddPoddleWeb();

        configure?.Invoke(builder);

        var app = builder.Build();
        PoddleHost.ValidateAtBuild(app.Services);
        app.UsePoddlePipeline(host.Options);
        app.MapPoddleApi();
        app.MapPoddleWeb();

        // Pods get PODDLE_SERVER for the agent listener unless configured; without one, the address this server really
        // listens on (port 0 resolved).
        app.Services.GetRequiredService<AgentServerAddress>().UseAgentListener(agentListener.Port);
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<AgentServerAddress>().SetListenAddresses(ListeningAddresses(app)));
        return app;
    }

    /// <summary>
    /// Brings the store up to date and creates the first admin. Runs before the server accepts requests;
    /// migrations take a database lock, so several servers starting together are safe.
    /// </summary>
    public static async Task InitializeAsync(WebApplication app, TextWriter? console = null, CancellationToken cancellationToken = default)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PoddleServer));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var provider = scope.ServiceProvider.GetRequiredService<DatabaseInfo>().Provider;
        LogMigrating(logger, provider);
        await db.Database.MigrateAsync(cancellationToken);

        // The starter curriculum, once: only what is not stored yet is added, so edits of starter problems survive restarts.
        await scope.ServiceProvider.GetRequiredService<CurriculumSeeder>().SeedAsync(null, cancellationToken);

        // Created now so /metrics shows the execution instruments (warm pools) before the first execution.
        _ = app.Services.GetRequiredService<ExecutionMetrics>();

        var admin = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.Admin;
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var result = await accounts.EnsureAdminAsync(admin.Email, admin.Username, string.IsNullOrEmpty(admin.Password) ? null : admin.Password, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new StartupConfigurationException(
                $"Could not create the first admin ({string.Join("; ", result.Error.Fields?.Select(f => $"Admin:{f.Key}: {string.Join(' ', f.Value)}") ?? [result.Error.Message])}). " +
                "Fix PODDLE_ADMIN_EMAIL / PODDLE_ADMIN_USERNAME / PODDLE_ADMIN_PASSWORD.");
        }

        if (result.Value is { } generated)
        {
            // Printed once, to the console only: never to the log, which may be shipped elsewhere.
            (console ?? Console.Out).WriteLine(
                $"Created the admin account '{admin.Username}' ({admin.Email}) with the generated password: {generated}{Environment.NewLine}" +
                "It is shown only this once. Sign in with: poddle login --username " + admin.Username);
        }
    }

    /// <summary>Builds, initializes and starts the server; returns once it listens. Used by tests and embedders.</summary>
    public static async Task<WebApplication> StartAsync(ServerStartOptions start, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var app = Build(start, configure);
        await InitializeAsync(app, start.Console, cancellationToken);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The addresses the server actually listens on (port 0 resolved), without the agent listener's.</summary>
    public static IReadOnlyCollection<string> ListeningAddresses(WebApplication app)
    {
        // Any web app will do (tests' backends are plain ones); a Poddle server's agent listener is left out.
        var agent = app.Services.GetService<AgentListener>();
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Where(a => agent?.Serves(a) != true).ToList();
    }

    internal static void ConfigureConfiguration(ConfigurationManager configuration, ServerStartOptions start)
    {
        configuration.Sources.Clear();
        var environment = Environment.GetEnvironmentVariables();
        string? Env(string name) => environment[name] as string;

        var dataDir = start.DataDir ?? Env("PODDLE_DATA_DIR") ?? "data";
        var configFile = start.ConfigFile ?? Env("PODDLE_CONFIG");
        if (configFile is not null && !File.Exists(configFile))
        {
            throw new StartupConfigurationException($"The config file '{configFile}' (--config / PODDLE_CONFIG) does not exist.");
        }

        configFile ??= Path.Combine(dataDir, "poddle.json");
        if (File.Exists(configFile))
        {
            try
            {
                configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or JsonException)
            {
                throw new StartupConfigurationException($"The config file '{configFile}' is not valid JSON: {ex.Message}", ex);
            }
        }

        configuration.AddEnvironmentVariables("PODDLE_");
        var aliases = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in EnvironmentAliases)
        {
            if (Env(variable) is { } value)
            {
                aliases[key] = value;
            }
        }

        if (start.DataDir is not null)
        {
            aliases["DataDir"] = start.DataDir;
        }

        if (start.Urls is not null)
        {
            aliases["Urls"] = start.Urls;
        }

        configuration.AddInMemoryCollection(aliases);
        configuration.AddInMemoryCollection(start.Settings);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying database migrations ({Provider})")]
    private static partial void LogMigrating(ILogger logger, DatabaseProvider provider);
}
