using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Contracts;
using Poddle.Core.Billing;
using Poddle.Core.Persistence;
using Poddle.Server.Tests.Proxy;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Suspension and resume end to end on a real server with the real sandbox driver and the real controller: a deployment's
/// pod really serves through the proxy, stops when its owner is suspended (the app answers 503, no replica left, status
/// "suspended", its replica count kept), and comes back after an admin's credit over the API.
/// </summary>
public sealed class BillingSuspensionSandboxTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Suspend_RealSandboxDeployment_PodsStop_CreditBringsThemBack(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Billing:Enabled"] = "true",
            ["Billing:GuardHours"] = "0",
            ["Billing:SuspendAfter"] = "00:00:00",
        });
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, tokens) = await server.CreateUserAsync("alice");
        var owner = tokens.User.Id;
        var project = (await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
        var created = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("web", Command: ["/bin/sh", "-c", "python3 -m http.server $PORT"], Replicas: 1));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
        using var app = ProxyTestKit.ClientFor(server.BaseAddress.Port);
        var url = $"http://web-demo.localhost:{server.BaseAddress.Port}/";

        await WaitAsync(alice, id, DeploymentStatuses.Running);
        await Poll.UntilAsync(async () => (await app.GetAsync(url)).StatusCode == HttpStatusCode.OK, "the app answers through the proxy", Slow);

        // The balance goes below zero (as hourly charges take it) and the monitor runs: no grace here.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Ledger>().EnsureAccountAsync(owner, CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<Ledger>().AppendAsync(new LedgerPosting(owner, LedgerEntryKinds.Charge, -500, "usage", "charge:test"), CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckOwnerAsync(owner, CancellationToken.None);
        }

        var suspended = await WaitAsync(alice, id, DeploymentStatuses.Suspended);
        Assert.Equal(1, suspended.Replicas);
        Assert.Equal(0, suspended.ReadyReplicas);
        Assert.All(suspended.ReplicaDetails, r => Assert.Equal("stopped", r.Phase));
        await Poll.UntilAsync(async () => (await app.GetAsync(url)).StatusCode == HttpStatusCode.ServiceUnavailable, "the app is unavailable while suspended", Slow);

        var credit = await admin.PostAsJsonAsync($"/api/admin/billing/users/{owner}/credits", new AdminCreditRequest("grant", 10_000, "paid"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Created, credit.StatusCode);

        var resumed = await WaitAsync(alice, id, DeploymentStatuses.Running);
        Assert.Equal((1, 1), (resumed.Replicas, resumed.ReadyReplicas));
        await Poll.UntilAsync(async () => (await app.GetAsync(url)).StatusCode == HttpStatusCode.OK, "the app answers again after the resume", Slow);
    }

    private static async Task<DeploymentResponse> WaitAsync(HttpClient client, Guid id, string status)
    {
        DeploymentResponse? last = null;
        await Poll.UntilAsync(
            async () => (last = await client.GetFromJsonAsync($"/api/deployments/{id}", PoddleJsonContext.Default.DeploymentResponse))!.Status == status
                && (status != DeploymentStatuses.Running || last.ReadyReplicas == last.Replicas),
            $"the deployment is {status}",
            Slow,
            () => Task.FromResult($"{last?.Status}: {last?.StatusReason}"));
        return last!;
    }
}
