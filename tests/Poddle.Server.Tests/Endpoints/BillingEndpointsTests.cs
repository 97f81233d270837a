using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Contracts;
using Poddle.Core.Billing;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class BillingEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Credit_AdminGrantsAndRefunds_BalanceAndLedgerShowIt_OtherUsersSeeNothing(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, adminTokens) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");

        var granted = await admin.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("grant", 1_000_000, "welcome credit"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var refunded = await admin.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("refund", 2_550, "outage 2026-12-01", "ticket-17"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Created, refunded.StatusCode);

        var balance = await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse);
        Assert.Equal(1_002_550, balance!.BalanceMinor);
        Assert.Equal("UZS", balance.Currency);
        Assert.Equal("10025.50 UZS", balance.Balance);

        var page = await alice.GetFromJsonAsync("/api/billing/transactions?limit=1", PoddleJsonContext.Default.LedgerPageResponse);
        Assert.Equal(2, page!.Total);
        var newest = Assert.Single(page.Entries);
        Assert.Equal(("refund", 2_550L, 1_002_550L, "ticket-17"), (newest.Kind, newest.AmountMinor, newest.BalanceAfterMinor, newest.Reference));
        Assert.Equal(adminTokens.User.Id, newest.ActorId);

        var asAdmin = await admin.GetFromJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/transactions", PoddleJsonContext.Default.LedgerPageResponse);
        Assert.Equal(2, asAdmin!.Total);

        // Tenants: bob has his own (empty) balance and ledger, and no way to reach alice's.
        Assert.Equal(0, (await bob.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!.BalanceMinor);
        Assert.Equal(0, (await bob.GetFromJsonAsync("/api/billing/transactions", PoddleJsonContext.Default.LedgerPageResponse))!.Total);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/transactions")).StatusCode);
        var bobCredit = await bob.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("grant", 1, "x"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Forbidden, bobCredit.StatusCode);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/billing/balance")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Credit_InvalidFields_Is400NamingEachField_UnknownUserIs404(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");

        var response = await admin.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("charge", -5, " ", new string('r', 201)), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal("validation", problem!.Code);
        Assert.Equal(["amountMinor", "kind", "reason", "reference"], problem.Errors!.Keys.Order(StringComparer.Ordinal));

        var unknown = await admin.PostAsJsonAsync($"/api/admin/billing/users/{Guid.NewGuid()}/credits", new AdminCreditRequest("grant", 100, "x"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var paging = await alice.GetAsync("/api/billing/transactions?limit=500");
        Assert.Equal(HttpStatusCode.BadRequest, paging.StatusCode);
        Assert.Contains("limit", (await paging.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        Assert.Equal(0, (await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!.BalanceMinor);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Usage_NothingRan_IsThisMonthWithNoDeployments(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _) = await server.CreateUserAsync("alice");

        var usage = await alice.GetFromJsonAsync("/api/billing/usage", PoddleJsonContext.Default.UsageResponse);

        Assert.Equal(("UZS", 0L, 0L), (usage!.Currency, usage.AmountMinor, usage.EstimateMinor));
        Assert.Empty(usage.Deployments);
        Assert.Equal(1, usage.From.Day);
        Assert.Equal(usage.From.AddMonths(1), usage.MonthEnd);
    }

    /// <summary>
    /// With billing on and GuardHours 24, "web" (250 m, 100 MB: 35 000 tiyin an hour per replica) needs 840 000 per
    /// replica on the balance to be created, and 1 680 000 to be scaled to two replicas.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Guard_BalanceShort_CreateAndScaleUpAre402WithTheAmount_FundedTheyPass(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Jobs:Workers"] = "0",
            ["Billing:Enabled"] = "true",
            ["Billing:GuardHours"] = "24",
        }, UseNamedTestDrivers);
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        var created = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"));
        var project = (await created.Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
        var web = new CreateDeploymentRequest("web", Command: ["python3", "-m", "http.server"], Port: 8000, Resources: new ResourcesDto(250, 100), Replicas: 1);

        var refused = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", web);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            var root = problem.RootElement;
            Assert.Equal("urn:poddle:problem:insufficient-balance", root.GetProperty("type").GetString());
            Assert.Equal(840_000, root.GetProperty("neededMinor").GetInt64());
            Assert.Equal(0, root.GetProperty("balanceMinor").GetInt64());
            Assert.Equal(840_000, root.GetProperty("shortfallMinor").GetInt64());
            Assert.Equal("UZS", root.GetProperty("currency").GetString());
        }

        await admin.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("grant", 840_000, "trial"), PoddleJsonContext.Default.AdminCreditRequest);
        var accepted = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", web);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;

        var scaleUp = await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(2));
        Assert.Equal(HttpStatusCode.PaymentRequired, scaleUp.StatusCode);
        Assert.Contains("1680000", await scaleUp.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Scaling down (or to the same size) is never refused.
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(0))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PatchAsJsonAsync($"/api/deployments/{id}/scale", new ScaleDeploymentRequest(1))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Guard_BillingOffByDefault_CreatesWithAnEmptyBalance(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["Jobs:Workers"] = "0" }, UseNamedTestDrivers);
        var (alice, _) = await server.CreateUserAsync("alice");
        var created = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"));
        var project = (await created.Content.ReadFromJsonAsync<ProjectResponse>())!.Id;

        var response = await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("web", Command: ["python3", "-m", "http.server"], Port: 8000, Replicas: 2));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False((await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!.Enabled);
    }

    /// <summary>
    /// A pool is guarded at max(minWorkers, 1) workers; a suspended owner (balance below zero, no grace here) may create or
    /// scale up nothing, with its own code, and the balance shows the suspension and the warning; a credit resumes.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Guard_PoolsAndASuspendedOwner_Are402_ACreditResumes(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Jobs:Workers"] = "0",
            ["Billing:Enabled"] = "true",
            ["Billing:GuardHours"] = "24",
            ["Billing:SuspendAfter"] = "00:00:00",
        });
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        var owner = aliceTokens.User.Id;

        var refused = await alice.PostAsJsonAsync("/api/pools", PoolEndpointsTests.Workers);
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        long hourly;
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            var root = problem.RootElement;
            Assert.Equal("urn:poddle:problem:insufficient-balance", root.GetProperty("type").GetString());
            hourly = root.GetProperty("hourlyMinor").GetInt64();
            Assert.True(hourly > 0);
            Assert.Equal(24 * hourly, root.GetProperty("neededMinor").GetInt64());
        }

        await admin.PostAsJsonAsync($"/api/admin/billing/users/{owner}/credits", new AdminCreditRequest("grant", 24 * hourly, "trial"), PoddleJsonContext.Default.AdminCreditRequest);
        var created = await alice.PostAsJsonAsync("/api/pools", PoolEndpointsTests.Workers);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pool = (await created.Content.ReadFromJsonAsync<PoolResponse>())!.Id;
        var twoWarm = await alice.PostAsJsonAsync($"/api/pools/{pool}/scale", new ScalePoolRequest(MinWorkers: 2));
        Assert.Equal(HttpStatusCode.PaymentRequired, twoWarm.StatusCode);
        Assert.Contains($"\"neededMinor\":{48 * hourly}", await twoWarm.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Charges took the balance below zero (as the rater's debits do); the monitor suspends at once (no grace).
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Ledger>().AppendAsync(
                new LedgerPosting(owner, LedgerEntryKinds.Charge, -(24 * hourly) - 100, "usage", "charge:test"), CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckOwnerAsync(owner, CancellationToken.None);
        }

        var balance = (await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!;
        Assert.Equal((-100L, BillingNoticeKinds.Depleted), (balance.BalanceMinor, balance.Warning));
        Assert.NotNull(balance.SuspendedAt);
        var project = (await (await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>())!.Id;
        foreach (var attempt in new[]
        {
            await alice.PostAsJsonAsync($"/api/projects/{project}/deployments", new CreateDeploymentRequest("web", Command: ["python3", "-m", "http.server"], Port: 8000, Replicas: 1)),
            await alice.PostAsJsonAsync($"/api/pools/{pool}/scale", new ScalePoolRequest(MinWorkers: 2)),
        })
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, attempt.StatusCode);
            using var problem = JsonDocument.Parse(await attempt.Content.ReadAsStringAsync());
            Assert.Equal("urn:poddle:problem:account-suspended", problem.RootElement.GetProperty("type").GetString());
            Assert.Equal(-100, problem.RootElement.GetProperty("balanceMinor").GetInt64());
        }

        var credit = await admin.PostAsJsonAsync($"/api/admin/billing/users/{owner}/credits", new AdminCreditRequest("grant", 1000, "top-up"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Created, credit.StatusCode);
        balance = (await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!;
        Assert.Equal((900L, (DateTimeOffset?)null), (balance.BalanceMinor, balance.SuspendedAt));
    }

    private static void UseNamedTestDrivers(WebApplicationBuilder builder)
    {
        builder.Services.RemoveAll<IPodDriver>();
        builder.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Sandbox());
        builder.Services.AddSingleton<IPodDriver>(NamedTestPodDriver.Docker());
    }
}
