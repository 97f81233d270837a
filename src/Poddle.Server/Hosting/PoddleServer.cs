using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Classes;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Deployments;
using Poddle.Core.Email;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Projects;
using Poddle.Data.Postgres;
using Poddle.Data.Sqlite;
using Poddle.Server.Auth;
using Poddle.Server.Endpoints;
using Poddle.Server.Errors;
using Poddle.Server.Piston;
using Poddle.Server.Proxy;
using Poddle.Server.RateLimiting;
using Prometheus;
using Scalar.AspNetCore;

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

    /// <summary>Builds the server; throws <see cref="StartupConfigurationException"/> naming the key of a bad setting.</summary>
    public static WebApplication Build(ServerStartOptions start, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(PoddleServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureConfiguration(builder.Configuration, start);

        var server = ReadValidated<ServerOptions>(builder.Configuration, null, new ServerOptionsValidator());
        var auth = ReadValidated<AuthOptions>(builder.Configuration, AuthOptions.SectionName, new AuthOptionsValidator());
        DatabaseSettings.TryParse(server.Database, server.DataDir, out var database);

        var dataDir = Path.GetFullPath(server.DataDir);
        CreatePrivateDirectory(dataDir);

        ConfigureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = server.MaxRequestBodyBytes;
        });
        var listenUrls = ProxyHosting.AddPoddleProxy(builder, builder.Configuration["Urls"] is { Length: > 0 } urls ? urls : DefaultUrls);
        builder.WebHost.UseUrls(listenUrls);
        var agentListener = AgentListener.Resolve(
            builder.Configuration.GetValue<int>($"{AgentOptions.SectionName}:{nameof(AgentOptions.ListenPort)}"), dataDir, ProxyOptionsValidator.SplitUrls(listenUrls));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(server.ShutdownTimeoutSeconds));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(agentListener);
        services.AddSingleton(new ServerListenUrls(ProxyOptionsValidator.SplitUrls(listenUrls)));
        services.AddHostedService<AgentListener.Binder>();
        services.AddOptions<ServerOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();

        if (database!.Provider == DatabaseProvider.Postgres)
        {
            services.AddPostgresPersistence(database.ConnectionString);
        }
        else
        {
            services.AddSqlitePersistence(database.ConnectionString);
        }

        services.AddSingleton(new AccessTokenSigningKey(SigningKeyStore.LoadOrCreate(auth.SigningKey, dataDir)));
        services.AddPoddleAccounts(options => options.Bind(builder.Configuration.GetSection(AuthOptions.SectionName)));
        ReadValidated<EmailOptions>(builder.Configuration, EmailOptions.SectionName, new EmailOptionsValidator());
        services.AddPoddleEmail(options => options.Bind(builder.Configuration.GetSection(EmailOptions.SectionName)));
        ReadValidated<RateLimitOptions>(builder.Configuration, RateLimitOptions.SectionName, new RateLimitOptionsValidator());
        services.AddPoddleRateLimiting(options => options.Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName)));
        services.AddScoped<ProjectService>();
        ReadValidated<JobsOptions>(builder.Configuration, JobsOptions.SectionName, new JobsOptionsValidator());

        // Who this server is across restarts (kept in the data directory): it takes back its own jobs and leases after a kill -9.
        services.AddSingleton(sp => ServerInstance.Open(dataDir, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ServerInstance>()));
        services.AddPoddleJobs(jobs => jobs.Bind(builder.Configuration.GetSection(JobsOptions.SectionName)));
        var execution = ReadValidated<ExecutionOptions>(builder.Configuration, ExecutionOptions.SectionName, new ExecutionOptionsValidator());
        services.AddPoddleExecutions(options => options.Bind(builder.Configuration.GetSection(ExecutionOptions.SectionName)));
        ExecutionHosting.AddCodeExecutor(services, builder.Configuration, execution);
        services.AddPoddleCurriculum();
        ReadValidated<GradingOptions>(builder.Configuration, GradingOptions.SectionName, new GradingOptionsValidator());
        services.AddPoddleGrading(options => options.Bind(builder.Configuration.GetSection(GradingOptions.SectionName)));
        services.AddPoddleProgress();
        services.AddPoddleClasses();
        services.AddPoddleDeployments(options => options.Bind(builder.Configuration.GetSection(DeploymentOptions.SectionName)));
        services.AddPoddleAgents(options => options.Bind(builder.Configuration.GetSection(AgentOptions.SectionName)));
        DeploymentHosting.AddPodDrivers(services, builder.Configuration, dataDir, agentListener.Port);
        services.AddOptions<PistonOptions>().Bind(builder.Configuration.GetSection(PistonOptions.SectionName));

        services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<ErrorHandling>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PoddleJsonContext.Default));
        services.AddPoddleAuthentication();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<SandboxHealthCheck>("sandbox", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<PodDriversHealthCheck>("drivers", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Poddle API";
            document.Info.Description = "Self-hosted pod platform. Errors are RFC 9457 problems with a stable 'code'.";
            return Task.CompletedTask;
        }));

        configure?.Invoke(builder);

        var app = builder.Build();
        if (TrustedProxyList.ToOptions(server.TrustedProxies) is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        // Pods reach the agent listener and nothing else of the server: there, only the heartbeat is served.
        app.UseMiddleware<AgentListener.OnlyHeartbeats>();

        // App hosts ({deployment}-{project}.{base domain}, custom domains) go to the reverse proxy; other hosts to the API.
        app.UsePoddleProxy();

        // Explicit, so endpoint matching runs after the proxy (WebApplication would otherwise put it first, for every request).
        app.UseRouting();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.UseAuthentication();

        // After authentication (the per-user limit needs the user), before authorization (refused requests count too).
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<RequestCharsetMiddleware>();

        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Poddle API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapGet("/", () => TypedResults.Redirect("/docs")).ExcludeFromDescription();
        app.MapAuthEndpoints();
        app.MapAccountRecoveryEndpoints();
        app.MapUserEndpoints();
        app.MapTwoFactorEndpoints();
        app.MapTokenEndpoints();
        app.MapProjectEndpoints();
        app.MapAdminUserEndpoints();
        app.MapAdminEndpoints();
        app.MapExecutionEndpoints();
        app.MapPistonEndpoints();
        app.MapSubmissionEndpoints();
        app.MapProgressEndpoints();
        app.MapClassEndpoints();
        app.MapDeploymentEndpoints();
        app.MapDomainEndpoints();
        app.MapSourceEndpoints();
        app.MapProblemEndpoints();
        app.MapCurriculumEndpoints();

        app.MapDeploymentTelemetryEndpoints();
        app.MapAgentEndpoints();

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

    private static T ReadValidated<T>(ConfigurationManager configuration, string? section, IValidateOptions<T> validator)
        where T : class, new()
    {
        T options;
        try
        {
            options = (section is null ? configuration.Get<T>() : configuration.GetSection(section).Get<T>()) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key ("Failed to convert configuration value at 'Auth:...'").
            throw new StartupConfigurationException(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);
        }

        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            throw new StartupConfigurationException(string.Join(Environment.NewLine, result.Failures));
        }

        return options;
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

    private static void CreatePrivateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"DataDir: cannot create '{path}': {ex.Message}", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying database migrations ({Provider})")]
    private static partial void LogMigrating(ILogger logger, DatabaseProvider provider);
}
