using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

public sealed class InvoiceEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Invoice_ThisMonth_IsJsonHtmlAndCsv_OnlyTheCallers(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["Jobs:Workers"] = "0" });
        var (admin, _) = await server.SignInAdminAsync();
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        var granted = await admin.PostAsJsonAsync($"/api/admin/billing/users/{aliceTokens.User.Id}/credits", new AdminCreditRequest("grant", 1_234_567, "<b>welcome</b>, \"friend\"", "=cmd"), PoddleJsonContext.Default.AdminCreditRequest);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var month = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

        var list = await alice.GetFromJsonAsync("/api/billing/invoices", PoddleJsonContext.Default.InvoiceListResponse);
        var summary = Assert.Single(list!.Invoices);
        Assert.Equal((month, 0L, 0L, 1_234_567L, 1_234_567L), (summary.Month, summary.OpeningMinor, summary.ChargesMinor, summary.AdjustmentsMinor, summary.ClosingMinor));

        var invoice = await alice.GetFromJsonAsync($"/api/billing/invoices/{month}", PoddleJsonContext.Default.InvoiceResponse);
        Assert.Equal(("grant", 1_234_567L), (Assert.Single(invoice!.Adjustments).Kind, invoice.ClosingMinor));

        using var html = await alice.GetAsync($"/api/billing/invoices/{month}.html");
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("&lt;b&gt;welcome&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
        Assert.Contains("alice", page, StringComparison.Ordinal);
        Assert.Contains("12345.67 UZS", page, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/billing/invoices/{month}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var negotiated = await alice.SendAsync(request);
        Assert.Equal(page, await negotiated.Content.ReadAsStringAsync());

        using var csv = await alice.GetAsync($"/api/billing/invoices/{month}.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["opening", "adjustment", "closing"], rows[1..].Select(r => r.Split(',')[0]));
        Assert.Contains("'=cmd", rows[2], StringComparison.Ordinal);
        Assert.EndsWith(",1234567,12345.67,UZS", rows[3], StringComparison.Ordinal);

        var bobs = await bob.GetFromJsonAsync($"/api/billing/invoices/{month}", PoddleJsonContext.Default.InvoiceResponse);
        Assert.Equal((0L, 0), (bobs!.ClosingMinor, bobs.Adjustments.Count));

        using var bad = await alice.GetAsync("/api/billing/invoices/2026-13");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["month"], (await bad.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/billing/invoices/{month}.html")).StatusCode);
    }
}
