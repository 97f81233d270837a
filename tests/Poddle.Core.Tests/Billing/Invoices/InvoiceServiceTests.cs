using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Billing;
using Poddle.Core.Billing.Invoices;
using Poddle.Core.Billing.Payments;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing.Invoices;

public sealed class InvoiceServiceTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 31, 21, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Hand computation. web (250 m, 100 MB) costs 35 000 tiyin an hour, api (500 m, 256 MB) 2·10 000 + 3·5 000 + 20 000 =
    /// 55 000. Billing begins at 21:00 on 31 January, with a grant of 1 000 000.
    /// January: web runs from 22:30, its hour 22:00 (1 800 s) is charged 17 500 at 23:10 → closing 1 000 000 − 17 500 = 982 500.
    /// February (entries written on 1 February): hour 23:00 rated at 00:10 (web 35 000, api 55 000 — api started 23:00),
    /// hours 00:00 and 01:00 rated at 02:10 (web 70 000, api 110 000): charges web 105 000 and api 165 000 = 270 000 over
    /// three hours each (10 800 replica-seconds); a Payme payment of 500 000 at 03:00 (performed twice: credited once) and
    /// an admin refund of 2 550 at 03:30. Closing 982 500 − 270 000 + 500 000 + 2 550 = 1 215 050.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetAsync_TwoMonthsOfChargesPaymentsAndCredits_MatchTheHandComputationToTheTiyin(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var admin = await h.SeedOwnerAsync("admin");
        var alice = await h.SeedOwnerAsync("alice");
        var bob = await h.SeedOwnerAsync("bob");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        var api = await h.CreateDeploymentAsync(alice, "api", 500, 256);
        var bobs = await h.CreateDeploymentAsync(bob, "other", 1000, 1000);
        await h.RateAsync();
        await CreditAsync(h, admin.Owner, alice.Owner, LedgerEntryKinds.Grant, 1_000_000);
        await CreditAsync(h, admin.Owner, bob.Owner, LedgerEntryKinds.Grant, 7_000_000);
        await h.StartReplicaAsync(bobs, T0.AddMinutes(30));
        await h.StartReplicaAsync(web, T0.AddMinutes(90));
        await h.StartReplicaAsync(api, T0.AddHours(2));
        h.Clock.SetUtcNow(T0.AddHours(2).AddMinutes(10));
        await h.RateAsync();
        h.Clock.SetUtcNow(T0.AddHours(3).AddMinutes(10));
        await h.RateAsync();
        h.Clock.SetUtcNow(T0.AddHours(5).AddMinutes(10));
        await h.RateAsync();
        h.Clock.SetUtcNow(T0.AddHours(6));
        await PayAsync(h, alice.Owner, 500_000);
        h.Clock.SetUtcNow(T0.AddHours(6).AddMinutes(30));
        await CreditAsync(h, admin.Owner, alice.Owner, LedgerEntryKinds.Refund, 2_550);
        h.Clock.SetUtcNow(T0.AddHours(7));

        await using var scope = h.Scope();
        var service = ActivatorUtilities.CreateInstance<InvoiceService>(scope.ServiceProvider);
        var january = (await service.GetAsync(alice.Owner, "2030-01", CancellationToken.None)).Value;
        var february = (await service.GetAsync(alice.Owner, "2030-02", CancellationToken.None)).Value;

        Assert.Equal((0L, 17_500L, 0L, 1_000_000L, 982_500L), (january.OpeningMinor, january.ChargesMinor, january.PaymentsMinor, january.AdjustmentsMinor, january.ClosingMinor));
        Assert.Equal(new InvoiceChargeLine(web, "web", 1, 1_800, 250L * 1_800, 100L * 1_800, 17_500), Assert.Single(january.Charges));
        Assert.Equal((new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero)), (january.From, january.To));

        Assert.Equal((982_500L, 270_000L, 500_000L, 2_550L, 1_215_050L), (february.OpeningMinor, february.ChargesMinor, february.PaymentsMinor, february.AdjustmentsMinor, february.ClosingMinor));
        Assert.Equal(
            [new InvoiceChargeLine(api, "api", 3, 10_800, 500L * 10_800, 256L * 10_800, 165_000), new InvoiceChargeLine(web, "web", 3, 10_800, 250L * 10_800, 100L * 10_800, 105_000)],
            february.Charges);
        var payment = Assert.Single(february.Payments);
        Assert.Equal((LedgerEntryKinds.Payment, 500_000L, "payme:tx-1"), (payment.Kind, payment.AmountMinor, payment.Reference));
        Assert.Equal(LedgerEntryKinds.Refund, Assert.Single(february.Adjustments).Kind);
        Assert.Equal(await h.BalanceAsync(alice.Owner), february.ClosingMinor);

        var list = await service.ListAsync(alice.Owner, CancellationToken.None);
        Assert.Equal(["2030-02", "2030-01"], list.Select(i => i.Month));
        Assert.Equal(982_500, list[1].ClosingMinor);

        // Bob's charges and credits are on his invoice only.
        var bobsFebruary = (await service.GetAsync(bob.Owner, "2030-02", CancellationToken.None)).Value;
        Assert.Equal("other", Assert.Single(bobsFebruary.Charges).Deployment);
        Assert.Empty(bobsFebruary.Payments);

        Assert.Equal("validation", (await service.GetAsync(alice.Owner, "2030-03", CancellationToken.None)).Error!.Code);
        Assert.Equal("validation", (await service.GetAsync(alice.Owner, "2030-2", CancellationToken.None)).Error!.Code);
    }

    [Fact]
    public void Render_HtmlAndCsv_EncodeTextAndSumFromOpeningToClosing()
    {
        var at = new DateTimeOffset(2030, 2, 1, 3, 0, 0, TimeSpan.Zero);
        var invoice = new Invoice(
            "2030-02",
            new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2030, 3, 1, 0, 0, 0, TimeSpan.Zero),
            "UZS",
            982_500,
            [new InvoiceChargeLine(Guid.Empty, "web", 3, 10_800, 2_700_000, 1_080_000, 105_000)],
            105_000,
            [new InvoiceEntryLine(at, "payment", "payment via payme #1", "payme:tx-1", 500_000)],
            500_000,
            [new InvoiceEntryLine(at, "grant", "<script>alert(1)</script>, \"quoted\"", "=HYPERLINK(1)", 2_550)],
            2_550,
            1_380_050);

        var html = InvoiceHtml.Render(invoice, "Alice & <Co>");
        Assert.Contains("Alice &amp; &lt;Co&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("13800.50 UZS", html, StringComparison.Ordinal);

        var rows = InvoiceCsv.Render(invoice).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(InvoiceCsv.Header, rows[0]);
        Assert.Equal(6, rows.Length);
        Assert.Equal("charge,,web,,00000000-0000-0000-0000-000000000000,3,10800,2700000,1080000,-105000,-1050.00,UZS", rows[2]);
        Assert.Contains("\"<script>alert(1)</script>, \"\"quoted\"\"\",'=HYPERLINK(1)", rows[4], StringComparison.Ordinal);
        Assert.Equal("closing,,,,,,,,,1380050,13800.50,UZS", rows[5]);
        var amounts = rows[1..5].Select(r => long.Parse(r.Split(',')[^3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1_380_050, amounts.Sum());
    }

    private static async Task CreditAsync(BillingHarness h, Guid admin, Guid owner, string kind, long amount)
    {
        await using var scope = h.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<BillingService>().CreditAsync(admin, owner, kind, amount, "test", null, CancellationToken.None);
        Assert.True(result.IsSuccess);
    }

    private static async Task PayAsync(BillingHarness h, Guid owner, long amount)
    {
        await using var scope = h.Scope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var payment = new Payment { OwnerId = owner, Provider = PaymentProviders.Payme, AmountMinor = amount, Currency = "UZS", State = PaymentStates.Pending, CreatedAt = h.Clock.GetUtcNow() };
        db.Add(payment);
        await db.SaveChangesAsync();
        var settlement = ActivatorUtilities.CreateInstance<PaymentSettlement>(scope.ServiceProvider);
        Assert.True(await settlement.BindAsync(payment, "tx-1", h.Clock.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None));
        var bound = (await settlement.FindByTransactionAsync(PaymentProviders.Payme, "tx-1", CancellationToken.None))!;
        Assert.Equal(PaymentStates.Performed, (await settlement.PerformAsync(bound, CancellationToken.None)).State);
        Assert.Equal(PaymentStates.Performed, (await settlement.PerformAsync(bound, CancellationToken.None)).State);
    }
}
