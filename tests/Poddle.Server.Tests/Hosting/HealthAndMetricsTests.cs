using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Poddle.Core.Persistence;
using Poddle.Server.Hosting;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

public sealed class HealthAndMetricsTests(SharedServers servers) : IClassFixture<SharedServers>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Healthz_And_Readyz_AreHealthyOnARunningServer(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();

        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("healthy", database.GetProperty("status").GetString());
        Assert.Equal(provider.ToString().ToLowerInvariant(), database.GetProperty("data").GetProperty("provider").GetString());
        var sandbox = json.RootElement.GetProperty("checks").GetProperty("sandbox");
        Assert.Equal("healthy", sandbox.GetProperty("status").GetString());
        Assert.Equal("full", sandbox.GetProperty("data").GetProperty("isolation").GetString());
        Assert.Contains(sandbox.GetProperty("data").GetProperty("runtimes").EnumerateArray(), r => r.GetString()!.StartsWith("python ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SandboxHealthCheck_ReducedOrUnavailable_IsDegradedAndSaysWhy()
    {
        var reduced = new StubExecutor();
        var unavailable = new Poddle.Core.Executions.UnavailableCodeExecutor("bubblewrap is missing");

        var reducedResult = await new SandboxHealthCheck(reduced).CheckHealthAsync(new HealthCheckContext());
        var unavailableResult = await new SandboxHealthCheck(unavailable).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, reducedResult.Status);
        Assert.StartsWith("reduced isolation", reducedResult.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, unavailableResult.Status);
        Assert.Equal("bubblewrap is missing", unavailableResult.Description);
    }

    [Fact]
    public async Task SandboxHealthCheck_FullIsolationButNoLanguage_IsDegradedAndSaysWhereToLook()
    {
        var result = await new SandboxHealthCheck(new StubExecutor(Poddle.Drivers.Abstractions.Execution.IsolationStatus.Full, "full isolation (cgroup v1)"))
            .CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("no language passed its check in the sandbox", result.Description, StringComparison.Ordinal);
        Assert.Contains("poddle doctor", result.Description, StringComparison.Ordinal);
    }

    private sealed class StubExecutor(
        Poddle.Drivers.Abstractions.Execution.IsolationStatus level = Poddle.Drivers.Abstractions.Execution.IsolationStatus.Reduced,
        string detail = "reduced isolation: no writable cgroups; rlimits only") : Poddle.Drivers.Abstractions.Execution.ICodeExecutor
    {
        public IReadOnlyList<Poddle.Drivers.Abstractions.Execution.LanguageRuntime> Runtimes { get; } = [];

        public Poddle.Drivers.Abstractions.Execution.ExecutorHealth Health { get; } = new(level, detail);

        public Task<Poddle.Drivers.Abstractions.Execution.CodeExecutionResult> ExecuteAsync(Poddle.Drivers.Abstractions.Execution.CodeExecutionRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IReadOnlyList<Poddle.Drivers.Abstractions.Execution.WarmPoolStats> GetPoolStats() => [];
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task DatabaseHealthCheck_UnmigratedDatabase_IsUnhealthy(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var db = database.CreateContext();

        // Opening a connection creates the SQLite file, so the database answers but has no schema.
        await db.Database.OpenConnectionAsync();
        await db.Database.CloseConnectionAsync();

        var result = await new DatabaseHealthCheck(db, new DatabaseInfo(provider)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("migration", result.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DatabaseHealthCheck_UnreachableDatabase_IsUnhealthy()
    {
        var services = new ServiceCollection();
        var unreachable = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = 1, Database = "x", Username = "x", Password = "x", Timeout = 2 };
        Poddle.Data.Postgres.PostgresPersistence.AddPostgresPersistence(services, unreachable.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();

        var result = await new DatabaseHealthCheck(scope.ServiceProvider.GetRequiredService<PoddleDbContext>(), new DatabaseInfo(DatabaseProvider.Postgres))
            .CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Metrics_ArePrometheusTextWithRequestCountsAndLatencyHistograms(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();
        await client.GetAsync("/healthz");
        await client.GetAsync("/api/projects");

        var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE http_requests_received_total counter", text, StringComparison.Ordinal);
        Assert.Contains("poddle_executions_warm_pool_ready{language=\"python\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Matches("http_requests_received_total\\{[^}]*code=\"401\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Metrics_ReconcilerPasses_AreCounted()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();
        var text = string.Empty;

        // The reconciler's startup pass runs in the background: counted once it completes.
        await Poll.UntilAsync(
            async () => System.Text.RegularExpressions.Regex.IsMatch(text = await client.GetStringAsync("/metrics"), "(?m)^poddle_deployments_reconcile_passes(_total)? [1-9]"),
            "/metrics counts a reconciler pass",
            describe: () => Task.FromResult(text));
    }

    [Fact]
    public async Task Metrics_FleetOrphanGauges_ExportedForEveryDriverFromStartAtZero()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();
        var drivers = server.Services.GetRequiredService<Core.Deployments.PodDriverRegistry>().Names;
        var text = string.Empty;

        // The names agreed with the Prometheus rules (deploy/prometheus): every registered driver, 0 with no orphan.
        await Poll.UntilAsync(
            async () =>
            {
                text = await client.GetStringAsync("/metrics");
                return drivers.All(d =>
                    System.Text.RegularExpressions.Regex.IsMatch(text, $"(?m)^poddle_fleet_orphan_pods\\{{driver=\"{d}\"\\}} 0$")
                    && System.Text.RegularExpressions.Regex.IsMatch(text, $"(?m)^poddle_fleet_orphan_cost_per_hour\\{{driver=\"{d}\"\\}} 0$"));
            },
            "/metrics has both fleet gauges for every driver",
            describe: () => Task.FromResult(text));
        Assert.NotEmpty(drivers);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OpenApi_DocumentAndDocsPage_AreServed(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        using var client = server.CreateClient();

        var document = await client.GetAsync("/openapi/v1.json");
        var docs = await client.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        using var json = JsonDocument.Parse(await document.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", json.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = json.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/login", "/api/auth/register", "/api/auth/refresh", "/api/users/me/sessions", "/api/tokens", "/api/projects/{id}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        }

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
    }
}
