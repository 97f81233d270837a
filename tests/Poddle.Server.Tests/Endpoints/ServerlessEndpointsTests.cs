using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// RunPod's serverless API and worker protocol over real HTTP. No worker pod is spawned (the autoscaler is not wired
/// to the drivers yet): <see cref="RunPodStyleWorker"/> speaks the worker protocol from the test.
/// </summary>
public sealed class ServerlessEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunSync_WithAWorker_AnswersRunPodsCompletedShape(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider);
        var (token, pool) = await CreatePoolWithTokenAsync(server, "alice");
        await using var worker = new RunPodStyleWorker(await CreateWorkerEnvAsync(server, pool, "worker-1"));
        using var client = server.CreateClient(token);

        var response = await client.PostAsync($"/v2/{pool}/runsync?wait=30000", Json("""{"input":{"n":21}}"""));
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("COMPLETED", (string)body["status"]!);
        Assert.Equal(42, (int)body["output"]!["double"]!);
        Assert.True((long)body["delayTime"]! >= 0 && (long)body["executionTime"]! >= 0);
        Assert.Equal(HttpStatusCode.OK, await worker.PingAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Run_StatusCancelRetry_FollowRunPodsStatuses(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider);
        var (token, pool) = await CreatePoolWithTokenAsync(server, "alice");
        using var client = server.CreateClient(token);

        var run = (await (await client.PostAsync($"/v2/{pool}/run", Json("""{"input":{"n":1},"policy":{"ttl":60000}}"""))).Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (string)run["id"]!;
        var status = (await client.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status/{id}"))!;
        var cancel = (await (await client.PostAsync($"/v2/{pool}/cancel/{id}", Json("{}"))).Content.ReadFromJsonAsync<JsonObject>())!;
        var retryCancelled = await client.PostAsync($"/v2/{pool}/retry/{id}", Json("{}"));
        var missing = await client.GetAsync($"/v2/{pool}/status/not-a-job");
        var noInput = await client.PostAsync($"/v2/{pool}/run", Json("""{"webhook":"nope"}"""));

        Assert.Equal(("IN_QUEUE", "IN_QUEUE", "CANCELLED"), ((string)run["status"]!, (string)status["status"]!, (string)cancel["status"]!));
        Assert.Equal(HttpStatusCode.Conflict, retryCancelled.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noInput.StatusCode);
        Assert.Equal(["input", "webhook"], (await noInput.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Tenancy_AnotherUsersTokenIs404_AndAJwtOrNoTokenIs401(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider);
        var (_, pool) = await CreatePoolWithTokenAsync(server, "alice");
        var (malloryToken, _) = await CreatePoolWithTokenAsync(server, "mallory");
        var (malloryJwt, _) = await server.CreateUserAsync("eve");
        using var mallory = server.CreateClient(malloryToken);
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync($"/v2/{pool}/run", Json("""{"input":1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v2/{pool}/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync($"/v2/{pool}/purge-queue", Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v2/{pool}/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await malloryJwt.GetAsync($"/v2/{pool}/health")).StatusCode);
    }

    /// <summary>
    /// Remote workers (RunPod) reach the worker protocol on the public listener (docs/security.md, "Remote pods"): there
    /// the owner's own API token, as a Bearer or raw, is no worker key, so the worker API stays the worker's only.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OwnersApiToken_OnTheWorkerProtocolOfThePublicListener_Is401(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider, new Dictionary<string, string?> { ["Pools:TakeWait"] = "00:00:00" });
        var (token, pool) = await CreatePoolWithTokenAsync(server, "alice");
        var env = await CreateWorkerEnvAsync(server, pool, "w1");
        using var bearer = server.CreateClient(token);
        using var raw = new HttpClient { BaseAddress = server.BaseAddress };
        raw.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        using var worker = new HttpClient { BaseAddress = server.BaseAddress };
        worker.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", env[PoolWorkerEnvironment.ApiKey]);

        foreach (var client in new[] { bearer, raw })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/v2/{pool}/job-take/w1?protocol=runpod&job_in_progress=0")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/v2/{pool}/ping/w1")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await worker.GetAsync($"/v2/{pool}/job-take/w1?protocol=runpod&job_in_progress=0")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task WorkerKey_ReachesOnlyItsOwnPoolAndWorkerId_AndNoUserEndpoint(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider, new Dictionary<string, string?> { ["Pools:TakeWait"] = "00:00:00" });
        var (_, pool) = await CreatePoolWithTokenAsync(server, "alice");
        var (_, otherPool) = await CreatePoolWithTokenAsync(server, "bob");
        var env = await CreateWorkerEnvAsync(server, pool, "w1");
        using var worker = new HttpClient { BaseAddress = server.BaseAddress };
        worker.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", env[PoolWorkerEnvironment.ApiKey]);

        Assert.Equal(HttpStatusCode.NoContent, (await worker.GetAsync($"/v2/{pool}/job-take/w1?protocol=runpod&job_in_progress=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync($"/v2/{pool}/job-take/w2?protocol=runpod&job_in_progress=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync($"/v2/{otherPool}/job-take/w1?protocol=runpod&job_in_progress=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync($"/v2/{pool}/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await worker.GetAsync("/api/pools")).StatusCode);
        using var wrong = new HttpClient { BaseAddress = server.BaseAddress };
        wrong.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "pwk_" + new string('0', 64));
        var refused = await wrong.GetAsync($"/v2/{pool}/ping/w1");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("urn:poddle:problem:pool-worker-key", (string)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["type"]!);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Jobs_SurviveARestartOfTheServer(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        string token;
        Guid pool;
        string id;
        // One database and one secrets key for both lives of the server (each start has its own data directory).
        var settings = new Dictionary<string, string?> { ["Database"] = database.Setting, ["Deployments:SecretKey"] = Convert.ToBase64String(new byte[32]) };
        await using (var first = await PoolEndpointsTests.StartAsync(provider, settings))
        {
            (token, pool) = await CreatePoolWithTokenAsync(first, "alice");
            using var client = first.CreateClient(token);
            id = (string)(await (await client.PostAsync($"/v2/{pool}/run", Json("""{"input":{"n":5}}"""))).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        }

        await using var second = await PoolEndpointsTests.StartAsync(provider, settings);
        await using var worker = new RunPodStyleWorker(await CreateWorkerEnvAsync(second, pool, "after-restart"));
        using var again = second.CreateClient(token);
        var done = (await again.GetFromJsonAsync<JsonObject>($"/v2/{pool}/status-sync/{id}?wait=30000"))!;

        Assert.Equal("COMPLETED", (string)done["status"]!);
        Assert.Equal(10, (int)done["output"]!["double"]!);
    }

    internal static async Task<(string Token, Guid Pool)> CreatePoolWithTokenAsync(TestServer server, string username, string pool = "workers")
    {
        var (user, _) = await server.CreateUserAsync(username);
        var created = await user.PostAsJsonAsync("/api/pools", PoolEndpointsTests.Workers with { Name = pool });
        created.EnsureSuccessStatusCode();
        var token = await user.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("runpod"));
        token.EnsureSuccessStatusCode();
        return ((await token.Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!.Token, (await created.Content.ReadFromJsonAsync<PoolResponse>())!.Id);
    }

    /// <summary>What the autoscaler's wiring will do when it spawns a worker pod: register it and build its environment.</summary>
    internal static async Task<IReadOnlyDictionary<string, string>> CreateWorkerEnvAsync(TestServer server, Guid pool, string workerId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var env = await scope.ServiceProvider.GetRequiredService<PoolWorkerProtocol>().CreateWorkerAsync(pool, workerId, server.BaseAddress, CancellationToken.None);
        Assert.True(env.IsSuccess, env.Error?.Message);
        return env.Value;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
