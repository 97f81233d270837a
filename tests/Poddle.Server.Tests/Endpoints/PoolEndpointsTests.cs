using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class PoolEndpointsTests
{
    private const string SecretValue = "pool-secret-Zq9-never-in-a-response";

    internal static readonly CreatePoolRequest Workers = new(
        "workers",
        Command: ["python3", "handler.py"],
        Env: new Dictionary<string, string> { ["MODE"] = "prod" },
        Secrets: new Dictionary<string, string> { ["HF_TOKEN"] = SecretValue },
        MaxWorkers: 2,
        Scaler: new PoolScalerDto("requestCount", 3));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateGetListUpdateScaleDelete_FullLifecycle(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var created = await alice.PostAsJsonAsync("/api/pools", Workers);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var raw = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(SecretValue, raw, StringComparison.Ordinal);
        var pool = (await created.Content.ReadFromJsonAsync<PoolResponse>())!;
        Assert.Equal($"/api/pools/{pool.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("sandbox", 0, 2, "requestCount", 3), (pool.Driver, pool.MinWorkers, pool.MaxWorkers, pool.Scaler.Type, pool.Scaler.Value));
        Assert.Equal(["HF_TOKEN"], pool.SecretKeys);
        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/v2/{pool.Id}", pool.ServerlessUrl);

        Assert.Equal(pool.Id, Assert.Single((await alice.GetFromJsonAsync<List<PoolResponse>>("/api/pools"))!).Id);
        var patched = await alice.PatchAsJsonAsync($"/api/pools/{pool.Id}", new UpdatePoolRequest(IdleTimeout: 30, Env: new Dictionary<string, string?> { ["MODE"] = null }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal((30, 0), ((await patched.Content.ReadFromJsonAsync<PoolResponse>())!.IdleTimeout, (await alice.GetFromJsonAsync<PoolResponse>($"/api/pools/{pool.Id}"))!.Env.Count));
        var scaled = await alice.PostAsJsonAsync($"/api/pools/{pool.Id}/scale", new ScalePoolRequest(MinWorkers: 1));
        Assert.Equal(1, (await scaled.Content.ReadFromJsonAsync<PoolResponse>())!.MinWorkers);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/api/pools/{pool.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/api/pools/{pool.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Invalid_IsAProblemNamingTheApisFields_AndOverTheTierIs403(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var invalid = await alice.PostAsJsonAsync("/api/pools", Workers with { MinWorkers = 2, MaxWorkers = 1, Scaler = new PoolScalerDto("cpu"), Resources = new ResourcesDto(MemoryMb: 1) });
        var overTier = await alice.PostAsJsonAsync("/api/pools", Workers with { MaxWorkers = 50 });
        var scaleToZero = await alice.PostAsJsonAsync("/api/pools", Workers);
        var id = (await scaleToZero.Content.ReadFromJsonAsync<PoolResponse>())!.Id;
        var maxZero = await alice.PostAsJsonAsync($"/api/pools/{id}/scale", new ScalePoolRequest(MaxWorkers: 0));
        var empty = await alice.PatchAsJsonAsync($"/api/pools/{id}", new UpdatePoolRequest());

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["maxWorkers", "resources.memoryMb", "scaler.type"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, overTier.StatusCode);
        Assert.Equal("urn:poddle:problem:tier-limit", (string)(await overTier.Content.ReadFromJsonAsync<JsonObject>())!["type"]!);
        Assert.Equal("maxWorkers", Assert.Single((await maxZero.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject()).Key);
        Assert.Equal("body", Assert.Single((await empty.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject()).Key);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Gpu_InvalidFieldsAreNamedByElement_AndADriverWithoutGpusRefusesWithItsCapabilityError(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var invalid = await alice.PostAsJsonAsync("/api/pools", Workers with
        {
            Gpu = new PoolGpuDto(["NVIDIA RTX A4000", ""], 0, ["secure", "cheap"]),
            Storage = new PoolStorageDto(VolumeMountPath: "/workspace"),
        });
        var onSandbox = await alice.PostAsJsonAsync("/api/pools", Workers with { Gpu = new PoolGpuDto(["NVIDIA RTX A4000"]) });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["gpu.cloudTypes[1]", "gpu.count", "gpu.types[1]", "storage.volumeMountPath"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, onSandbox.StatusCode);
        var refusal = Assert.Single((await onSandbox.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject());
        Assert.Equal("gpu", refusal.Key);
        Assert.Contains("cannot give a pod GPUs (gpu.count)", (string)refusal.Value![0]!, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AnotherUsersPool_Is404Everywhere(DatabaseProvider provider)
    {
        await using var server = await StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (mallory, _) = await server.CreateUserAsync("mallory");
        var id = (await (await alice.PostAsJsonAsync("/api/pools", Workers)).Content.ReadFromJsonAsync<PoolResponse>())!.Id;

        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/api/pools/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PatchAsJsonAsync($"/api/pools/{id}", new UpdatePoolRequest(MaxRetries: 1))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsJsonAsync($"/api/pools/{id}/scale", new ScalePoolRequest(MaxWorkers: 1))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.DeleteAsync($"/api/pools/{id}")).StatusCode);
        Assert.Empty((await mallory.GetFromJsonAsync<List<PoolResponse>>("/api/pools"))!);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/api/pools/{id}")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_DescribesPoolsAndTheServerlessApi()
    {
        await using var server = await StartAsync(DatabaseProvider.Sqlite);
        using var client = server.CreateClient();

        var paths = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();

        Assert.Contains("/api/pools", paths.Select(p => p.Key));
        Assert.Contains("/api/pools/{id}/scale", paths.Select(p => p.Key));
        Assert.Contains("/v2/{poolId}/runsync", paths.Select(p => p.Key));
        Assert.Contains("/v2/{poolId}/job-take/{workerId}", paths.Select(p => p.Key));
    }

    internal static Task<TestServer> StartAsync(DatabaseProvider provider, IDictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(provider, settings, b =>
        {
            // Pools need only drivers the registry knows by name and capability (nothing starts a worker pod yet).
            b.Services.RemoveAll<IPodDriver>();
            b.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Sandbox());
            b.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Docker());
        });
}
