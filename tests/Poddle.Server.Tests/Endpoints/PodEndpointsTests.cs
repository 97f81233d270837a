using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Server.Pods;
using Poddle.Testing;
using Poddle.Testing.RunPod;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>/api/pods over real HTTP against the RunPod fake (a real GraphQL server on a loopback port).</summary>
public sealed class PodEndpointsTests
{
    private static Dictionary<string, string?> Settings(RunPodFake fake) => new()
    {
        ["RunPod:ApiKey"] = fake.ApiKey,
        ["RunPod:Endpoint"] = fake.GraphQLUrl.ToString(),
        ["Jobs:Workers"] = "0",
    };

    private static CreatePodRequest Template(string name = "trainer") => new(
        "runpod", name, "runpod/pytorch:2.1.0", "NVIDIA GeForce RTX 4090", 2, 40, 100, "/workspace",
        ["8888/http", "22/tcp"], new Dictionary<string, string> { ["MODEL"] = "llama" }, PodCloudTypes.Secure, null);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pods_Admin_CreateListStopStartTerminate(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        var stranger = fake.AddOutOfBand("someone-elses", ["FOO=bar"]);
        await using var server = await TestServer.StartAsync(provider, Settings(fake));
        var (admin, _) = await server.SignInAdminAsync();

        var created = await admin.PostAsJsonAsync("/api/pods", Template());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pod = (await created.Content.ReadFromJsonAsync<PodResponse>())!;
        Assert.Equal(("runpod", true, PodOperations.OperatorKind, 2), (pod.Driver, pod.Managed, pod.Kind, pod.GpuCount));
        var rented = Assert.Single(fake.Pods, p => p.Id == pod.Id);
        Assert.Equal(("SECURE", 40, "/workspace", "NVIDIA GeForce RTX 4090"), (rented.CloudType, rented.ContainerDiskInGb, rented.VolumeMountPath, rented.GpuType.Id));
        Assert.Contains("MODEL=llama", rented.Env);

        var listed = (await admin.GetFromJsonAsync<IReadOnlyList<PodResponse>>("/api/pods?driver=runpod"))!;
        Assert.NotNull(Assert.Single(listed, p => p.Id == pod.Id && p.Managed).Owner);
        var other = Assert.Single(listed, p => p.Id == stranger.Id);
        Assert.False(other.Managed);
        Assert.Null(other.Kind);

        var stopped = (await (await admin.PostAsync($"/api/pods/runpod/{pod.Id}/stop", null)).Content.ReadFromJsonAsync<PodResponse>())!;
        Assert.Equal("EXITED", stopped.Status);

        var started = await admin.PostAsync($"/api/pods/runpod/{pod.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.NotEqual("EXITED", (await started.Content.ReadFromJsonAsync<PodResponse>())!.Status);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/pods/runpod/{pod.Id}")).StatusCode);
        Assert.DoesNotContain(fake.Pods, p => p.Id == pod.Id);
        var gone = await admin.GetAsync($"/api/pods/runpod/{pod.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains(fake.Pods, p => p.Id == stranger.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_InvalidTemplate_Is400NamingFields(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        await using var server = await TestServer.StartAsync(provider, Settings(fake));
        var (admin, _) = await server.SignInAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/pods", Template("Bad Name") with { GpuCount = 0, Ports = ["8888/udp"], CloudType = "moon", SpotBid = -1, VolumeMountPath = "workspace" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
        Assert.Equal("validation", problem.Code);
        Assert.Equal(["cloudType", "gpuCount", "name", "ports[0]", "spotBid", "volumeMountPath"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(fake.Pods);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Account_RunPod_ReturnsBalanceAndSpend(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        fake.ClientBalance = 42.5;
        await using var server = await TestServer.StartAsync(provider, Settings(fake));
        var (admin, _) = await server.SignInAdminAsync();

        var account = (await admin.GetFromJsonAsync<PodAccountResponse>("/api/pods/account?driver=runpod"))!;
        var unknown = await admin.GetAsync("/api/pods/account?driver=nope");

        Assert.Equal(("runpod", 42.5m), (account.Driver, account.Balance));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("driver", (await unknown.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pods_Member_Is403(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        await using var server = await TestServer.StartAsync(provider, Settings(fake));
        var (alice, _) = await server.CreateUserAsync("alice");

        var list = await alice.GetAsync("/api/pods?driver=runpod");
        var create = await alice.PostAsJsonAsync("/api/pods", Template());

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (list.StatusCode, create.StatusCode));
        Assert.Empty(fake.Pods);
    }
}
