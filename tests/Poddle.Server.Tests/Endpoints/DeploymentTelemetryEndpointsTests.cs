using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>Logs and metrics over real HTTP: the real server and controller, pods from a <see cref="FakePodDriver"/>.</summary>
public sealed class DeploymentTelemetryEndpointsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Logs_TailAcrossReplicas_OldestFirstAndOwnerScoped()
    {
        await using var fixture = await Fixture.StartAsync(replicas: 2);
        var pods = fixture.Driver.Running;
        foreach (var (pod, text, stream) in new[] { (pods[0], "a-1", "stdout"), (pods[1], "b-1", "stdout"), (pods[0], "a-2", "stderr"), (pods[1], "b-2", "stdout") })
        {
            // Lines a few milliseconds apart, so their order across replicas is the order of their timestamps.
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(5));
            pod.WriteLog(text, stream);
        }

        var lines = await fixture.Alice.GetFromJsonAsync<List<LogLineResponse>>($"/api/deployments/{fixture.DeploymentId}/logs?tail=3");
        Assert.Equal(["b-1", "a-2", "b-2"], lines!.Select(l => l.Text));
        Assert.Equal("stderr", lines![1].Stream);
        Assert.Equal(2, lines.Select(l => l.ReplicaId).Distinct().Count());

        var recent = await fixture.Alice.GetFromJsonAsync<List<LogLineResponse>>($"/api/deployments/{fixture.DeploymentId}/logs?since=5m");
        Assert.Contains(recent!, l => l.Text == "a-1");
        var future = await fixture.Alice.GetFromJsonAsync<List<LogLineResponse>>($"/api/deployments/{fixture.DeploymentId}/logs?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        Assert.Empty(future!);

        var other = await fixture.Bob.GetAsync($"/api/deployments/{fixture.DeploymentId}/logs");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Bob.GetAsync($"/api/deployments/{fixture.DeploymentId}/metrics")).StatusCode);
    }

    [Fact]
    public async Task Logs_AReplicaWhosePodGoesAwayDuringTheRead_IsLeftOut_NotA500()
    {
        await using var fixture = await Fixture.StartAsync(replicas: 2);
        var pods = fixture.Driver.Running;
        pods[0].WriteLog("still here", "stdout");
        pods[1].WriteLog("going away", "stdout");
        pods[1].LogReadFails = PodFailureKind.Other;

        using var response = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}/logs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadFromJsonAsync<List<LogLineResponse>>())!;
        Assert.Contains(lines, l => l.Text == "still here");
        Assert.DoesNotContain(lines, l => l.Text == "going away");
    }

    [Fact]
    public async Task ReplicasLogsAndEvents_NameEachReplicaByOneShortId_CrashEventsCarryStderr()
    {
        await using var fixture = await Fixture.StartAsync(replicas: 2);
        var first = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}");
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        var deployment = (await first.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        var shortIds = deployment.ReplicaDetails.ToDictionary(r => r.Id, r => r.ShortId);
        Assert.Equal(2, shortIds.Values.Distinct().Count()); // replicas started together, told apart
        Assert.All(deployment.ReplicaDetails, r => Assert.Equal(r.Id.ToString("N")[^8..], r.ShortId));
        foreach (var pod in fixture.Driver.Running)
        {
            pod.WriteLog("hello from " + pod.ReplicaLabel);
        }

        var lines = (await fixture.Alice.GetFromJsonAsync<List<LogLineResponse>>($"/api/deployments/{fixture.DeploymentId}/logs"))!;
        Assert.All(lines, l => Assert.Equal(shortIds[l.ReplicaId], l.ReplicaShortId));
        Assert.Equal(2, lines.Select(l => l.ReplicaShortId).Distinct().Count());

        var victim = fixture.Driver.Running[0];
        var victimId = Guid.ParseExact(victim.ReplicaLabel!, "N");
        victim.WriteLog("Traceback (most recent call last):", "stderr");
        victim.WriteLog("RuntimeError: no database", "stderr");
        await victim.ExitAsync(1);
        DeploymentEventResponse? crashed = null;
        await Poll.UntilAsync(
            async () =>
            {
                var events = (await fixture.Alice.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{fixture.DeploymentId}/events"))!;
                crashed = events.FirstOrDefault(e => e.Type == "ReplicaCrashed");
                Assert.All(events.Where(e => e.ReplicaId is not null), e => Assert.Equal(shortIds[e.ReplicaId!.Value], e.ReplicaShortId));
                return crashed is not null;
            },
            "a ReplicaCrashed event",
            Bound);
        Assert.NotNull(crashed);

        Assert.Equal(victimId, crashed.ReplicaId);
        Assert.StartsWith($"replica {shortIds[victimId]} exited (exit code 1)", crashed.Message, StringComparison.Ordinal);
        Assert.Contains("\n    RuntimeError: no database", crashed.Message, StringComparison.Ordinal);
        var afterResponse = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}");
        Assert.True(afterResponse.IsSuccessStatusCode, await afterResponse.Content.ReadAsStringAsync());
        var after = (await afterResponse.Content.ReadFromJsonAsync<DeploymentResponse>())!;
        Assert.False(after.ReplicaDetails.Single(r => r.Id == victimId).CrashLooping); // one crash is not a loop yet
    }

    [Theory]
    [InlineData("tail=0", "tail")]
    [InlineData("tail=10001", "tail")]
    [InlineData("tail=ten", "tail")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=5x", "since")]
    public async Task Logs_BadQuery_Is400NamingTheField(string query, string field)
    {
        await using var fixture = await Fixture.StartAsync(replicas: 1);

        var response = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}/logs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.True(problem!.Errors!.ContainsKey(field), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LogStream_FollowsEveryReplicaAsServerSentEvents()
    {
        await using var fixture = await Fixture.StartAsync(replicas: 2);
        using var cts = new CancellationTokenSource(Bound);
        using var response = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}/logs/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        using var reader = new StreamReader(body);

        // Once the stream follows both replicas, write on both.
        await Poll.UntilAsync(() => fixture.Driver.Running.All(p => p.Followers > 0), "the stream follows both replicas", Bound);
        fixture.Driver.Running[0].WriteLog("hello from a");
        fixture.Driver.Running[1].WriteLog("hello from b");

        var seen = new HashSet<string>();
        while (seen.Count < 2)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                Assert.Equal("event: log", line);
                var data = await reader.ReadLineAsync(cts.Token);
                var item = System.Text.Json.JsonSerializer.Deserialize(data!["data: ".Length..], PoddleJsonContext.Default.LogLineResponse)!;
                seen.Add(item.Text);
            }
        }

        Assert.Equal(["hello from a", "hello from b"], seen.Order());

        // A replica that starts later (scale-up through the real job runner) joins the stream.
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            var deployment = await db.Deployments.SingleAsync(d => d.Id == fixture.DeploymentId, cts.Token);
            deployment.Replicas = 3;
            deployment.Generation++;
            await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueConvergeAsync(deployment, "scale", cts.Token);
            await db.SaveChangesAsync(cts.Token);
        }

        await Poll.UntilAsync(() => fixture.Driver.Running.Count == 3 && fixture.Driver.Running[2].Followers > 0, "the stream follows the third replica", Bound);
        fixture.Driver.Running[2].WriteLog("hello from c");
        while (!seen.Contains("hello from c"))
        {
            var line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                seen.Add(System.Text.Json.JsonSerializer.Deserialize(line["data: ".Length..], PoddleJsonContext.Default.LogLineResponse)!.Text);
            }
        }
    }

    [Fact]
    public async Task Metrics_HistoryAndStream_CpuAsMillicoresAndNetworkAsRates()
    {
        await using var fixture = await Fixture.StartAsync(replicas: 1);
        var collector = fixture.Server.Services.GetRequiredService<ReplicaMetricsCollector>();
        var pod = Assert.Single(fixture.Driver.Running);
        await collector.SampleOnceAsync(CancellationToken.None);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(500)); // the pods' stats are timed on the driver's clock
        pod.CpuNanoseconds += 250_000_000;
        pod.NetworkRxBytes += 5_000;
        await collector.SampleOnceAsync(CancellationToken.None);

        var metrics = await fixture.Alice.GetFromJsonAsync<DeploymentMetricsResponse>($"/api/deployments/{fixture.DeploymentId}/metrics");
        var replica = Assert.Single(metrics!.Replicas);

        // The server's own collector samples every 5 s as well, so the CPU may be spread over more than one sample.
        Assert.NotEmpty(replica.Samples);
        Assert.Contains(replica.Samples, s => s.CpuMillicores > 0);
        Assert.Contains(replica.Samples, s => s.NetworkRxBytesPerSecond > 0);
        Assert.All(replica.Samples, s => Assert.Equal((0d, 128L * 1024 * 1024), (s.NetworkTxBytesPerSecond!.Value, s.MemoryLimitBytes!.Value)));
        Assert.True(replica.Samples.Zip(replica.Samples.Skip(1)).All(p => p.First.Timestamp < p.Second.Timestamp), "oldest first");

        using var cts = new CancellationTokenSource(Bound);
        using var response = await fixture.Alice.GetAsync($"/api/deployments/{fixture.DeploymentId}/metrics/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        using var reader = new StreamReader(body);
        Assert.Equal(": stream open", await reader.ReadLineAsync(cts.Token));
        // The stream subscribes to the collector after ": stream open", at a moment the test cannot see: sample again (on
        // the pods' clock) until the stream's first event arrives, instead of guessing how long subscribing takes.
        var nextEvent = ReadEventLineAsync();
        await Poll.UntilAsync(
            async () =>
            {
                if (nextEvent.IsCompleted)
                {
                    return true;
                }

                fixture.Clock.Advance(TimeSpan.FromMilliseconds(300));
                pod.CpuNanoseconds += 100_000_000;
                await collector.SampleOnceAsync(CancellationToken.None);
                return false;
            },
            "the metrics stream sends an event",
            Bound);
        var line = await nextEvent;

        Assert.Equal("event: metrics", line);
        var message = System.Text.Json.JsonSerializer.Deserialize((await reader.ReadLineAsync(cts.Token))!["data: ".Length..], PoddleJsonContext.Default.DeploymentMetricsResponse)!;
        Assert.Equal(replica.ReplicaId, Assert.Single(message.Replicas).ReplicaId);
        Assert.Single(message.Replicas[0].Samples);

        async Task<string?> ReadEventLineAsync()
        {
            string? read;
            do
            {
                read = await reader.ReadLineAsync(cts.Token);
            }
            while (read is not null && !read.StartsWith("event: ", StringComparison.Ordinal));

            return read;
        }
    }

    /// <summary>A server with a fake driver, two users, and a running deployment of Alice's.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private Fixture(TestServer server, FakeTimeProvider clock, FakePodDriver driver, HttpClient alice, HttpClient bob, Guid deploymentId)
        {
            Server = server;
            Clock = clock;
            Driver = driver;
            Alice = alice;
            Bob = bob;
            DeploymentId = deploymentId;
        }

        public TestServer Server { get; }

        /// <summary>The pods' clock (their log lines' and stats' times), from the real time the test started; the server keeps the real one.</summary>
        public FakeTimeProvider Clock { get; }

        public FakePodDriver Driver { get; }

        public HttpClient Alice { get; }

        public HttpClient Bob { get; }

        public Guid DeploymentId { get; }

        public static async Task<Fixture> StartAsync(int replicas)
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var driver = new FakePodDriver(clock);
            var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, configure: builder => builder.Services.AddSingleton<IPodDriver>(driver));
            var (alice, _) = await server.CreateUserAsync("alice");
            var (bob, _) = await server.CreateUserAsync("bob");
            var project = await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>();
            Guid id;
            await using (var scope = server.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
                var owner = await db.Users.Where(u => u.Username == "alice").Select(u => u.Id).SingleAsync();
                var now = DateTimeOffset.UtcNow;
                var deployment = new Deployment
                {
                    Id = Guid.CreateVersion7(), ProjectId = project!.Id, OwnerId = owner, Name = "web", Driver = driver.Name, Replicas = replicas,
                    CurrentRevision = 1, Status = DeploymentStatus.Pending, StatusChangedAt = now, Generation = 1, CreatedAt = now, UpdatedAt = now,
                };
                db.Deployments.Add(deployment);
                var spec = new DeploymentSpec("web:1", null, null, 8080, new Dictionary<string, string>(), [], new ResourceSpec(100, 128), null);
                db.DeploymentRevisions.Add(new DeploymentRevision
                {
                    Id = Guid.CreateVersion7(), DeploymentId = deployment.Id, Number = 1, SpecJson = DeploymentSpecJson.Serialize(spec),
                    SecretsCiphertext = scope.ServiceProvider.GetRequiredService<SecretProtector>().Protect(new Dictionary<string, string> { ["K"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) }),
                    Cause = "create", CreatedAt = now,
                });
                await scope.ServiceProvider.GetRequiredService<JobQueue>().EnqueueConvergeAsync(deployment, "create", CancellationToken.None);
                await db.SaveChangesAsync();
                id = deployment.Id;
            }

            // The server's own job runner and controller bring it up.
            var status = DeploymentStatus.Pending;
            await Poll.UntilAsync(
                async () =>
                {
                    await using var scope = server.Services.CreateAsyncScope();
                    status = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Deployments.Where(d => d.Id == id).Select(d => d.Status).SingleAsync();
                    return status == DeploymentStatus.Running;
                },
                "the deployment runs",
                Bound,
                () => Task.FromResult($"deployment still {status}"));

            return new Fixture(server, clock, driver, alice, bob, id);
        }

        public async ValueTask DisposeAsync()
        {
            Alice.Dispose();
            Bob.Dispose();
            await Server.DisposeAsync();
            await Driver.DisposeAsync();
        }
    }
}
