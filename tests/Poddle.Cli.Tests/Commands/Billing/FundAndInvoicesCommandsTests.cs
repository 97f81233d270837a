using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Billing;

public sealed class FundAndInvoicesCommandsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task FundAndInvoices_PaymeOffered_PrintLinkTablesAndDocuments(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Jobs:Workers"] = "0",
            ["Billing:Payme:MerchantId"] = "5e730e8e0b852a417aa49ceb",
            ["Billing:Payme:Key"] = "cli-test-key",
        });
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var fund = await cli.RunAsync("billing", "fund", "50000.5");
        Assert.True(fund.ExitCode == 0, fund.ToString());
        Assert.Contains("Pay 50000.50 UZS with payme: https://checkout.paycom.uz/", fund.Stdout, StringComparison.Ordinal);
        var json = await cli.RunAsync("billing", "fund", "1000", "--provider", "payme", "--json");
        var started = JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.FundResponse)!;
        Assert.Equal(100_000, started.AmountMinor);
        Assert.Equal($"m=5e730e8e0b852a417aa49ceb;ac.order_id={started.PaymentId};a=100000", Encoding.UTF8.GetString(Convert.FromBase64String(started.PayUrl.AbsolutePath.Trim('/'))));
        Assert.Equal(2, (await cli.RunAsync("billing", "fund", "10.001")).ExitCode);
        var click = await cli.RunAsync("billing", "fund", "1000", "--provider", "click");
        Assert.Equal(1, click.ExitCode);
        Assert.Contains("provider", click.Stderr, StringComparison.Ordinal);

        var (admin, _) = await server.SignInAdminAsync();
        var users = await admin.GetFromJsonAsync<UserListResponse>("/api/admin/users?search=alice");
        var granted = await admin.PostAsJsonAsync($"/api/admin/billing/users/{Assert.Single(users!.Users).Id}/credits", new AdminCreditRequest("grant", 250_000, "welcome"), PoddleJsonContext.Default.AdminCreditRequest);
        granted.EnsureSuccessStatusCode();
        var month = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

        var list = await cli.RunAsync("billing", "invoices");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(month, list.Stdout, StringComparison.Ordinal);
        Assert.Contains("2500.00 UZS", list.Stdout, StringComparison.Ordinal);
        var one = await cli.RunAsync("billing", "invoices", month);
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("welcome", one.Stdout, StringComparison.Ordinal);
        var csv = await cli.RunAsync("billing", "invoices", month, "--csv");
        Assert.StartsWith("section,time,", csv.Stdout, StringComparison.Ordinal);
        var file = Path.Combine(cli.ConfigDirectory, "invoice.html");
        var html = await cli.RunAsync("billing", "invoices", month, "--html", "-o", file);
        Assert.True(html.ExitCode == 0, html.ToString());
        Assert.StartsWith("<!DOCTYPE html>", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var bad = await cli.RunAsync("billing", "invoices", "2026-13");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("month", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await cli.RunAsync("billing", "invoices", "--html")).ExitCode);
    }

    [Fact]
    public async Task Fund_NoProviderConfigured_ExitsOneSayingWhatToDo()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("billing", "fund", "1000");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no payment provider", run.Stderr, StringComparison.Ordinal);
    }
}
