using System.Net;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
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
}
