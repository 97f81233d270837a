using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Billing;

public sealed class BillingCommandsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task BalanceTransactionsUsage_AfterAnAdminGrant_ShowTablesAndJson(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");
        var (admin, _) = await server.SignInAdminAsync();
        var users = await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users?search=alice");
        var alice = Assert.Single(users!.Users).Id;
        foreach (var amount in new long[] { 150_000, 2_505 })
        {
            var granted = await admin.PostAsJsonAsync($"/api/admin/billing/users/{alice}/credits", new AdminCreditRequest("grant", amount, $"grant of {amount}"), PoddleJsonContext.Default.AdminCreditRequest);
            granted.EnsureSuccessStatusCode();
        }

        var balance = await cli.RunAsync("billing", "balance");
        Assert.True(balance.ExitCode == 0, balance.ToString());
        Assert.Contains("1525.05 UZS", balance.Stdout, StringComparison.Ordinal);
        Assert.Contains("billing is off", balance.Stdout, StringComparison.Ordinal);
        var balanceJson = await cli.RunAsync("billing", "balance", "--json");
        Assert.Equal(152_505, JsonSerializer.Deserialize(balanceJson.Stdout, PoddleJsonContext.Default.BalanceResponse)!.BalanceMinor);

        var table = await cli.RunAsync("billing", "transactions");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("grant of 2505", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("25.05 UZS", table.Stdout, StringComparison.Ordinal);
        var json = await cli.RunAsync("billing", "transactions", "--json", "-n", "1");
        var page = JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.LedgerPageResponse)!;
        Assert.Equal((2, 2_505L), (page.Total, Assert.Single(page.Entries).AmountMinor));

        var usage = await cli.RunAsync("billing", "usage");
        Assert.True(usage.ExitCode == 0, usage.ToString());
        Assert.Contains("No usage this month", usage.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactions_LimitOutOfRange_ExitsOneNamingTheField()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("billing", "transactions", "--limit", "500");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("limit", run.Stderr, StringComparison.Ordinal);
    }
}
