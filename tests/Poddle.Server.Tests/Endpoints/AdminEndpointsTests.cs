using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class AdminEndpointsTests
{
    // No workers: the queued jobs stay where the test put them.
    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Jobs:Workers"] = "0" };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetQueues_Admin_GetsStatsPerKind(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, NoWorkers);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
            await queue.EnqueueAndSaveAsync("test.email");
            await queue.EnqueueAndSaveAsync("test.email");
            await queue.EnqueueAndSaveAsync("test.email", enqueue: new EnqueueOptions(RunAt: DateTimeOffset.UtcNow.AddHours(1)));
        }

        var (admin, _) = await server.SignInAdminAsync();
        var response = await admin.GetFromJsonAsync<QueuesResponse>("/api/admin/queues");

        var email = Assert.Single(response!.Queues, q => q.Kind == "test.email");
        Assert.Equal((2, 1, 0, 0), (email.Depth, email.Scheduled, email.Running, email.Dead));
        Assert.NotNull(email.OldestWaitingSeconds);
        Assert.InRange(email.OldestWaitingSeconds!.Value, 0, 60);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetQueues_Member_Is403(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, NoWorkers);
        var (alice, _) = await server.CreateUserAsync("alice");

        var response = await alice.GetAsync("/api/admin/queues");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", (await response.Content.ReadFromJsonAsync<ProblemResponse>())!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetQueues_Anonymous_Is401(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, NoWorkers);
        using var anonymous = server.CreateClient();

        var response = await anonymous.GetAsync("/api/admin/queues");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
