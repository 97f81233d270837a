using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Core.Billing;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Payments end to end over real HTTP: a user funds with <c>POST /api/billing/fund</c>, then the test plays the
/// provider's side of its published protocol (Payme's Merchant API, Click's SHOP API) against the server.
/// </summary>
public sealed class PaymentEndpointsTests
{
    private const string PaymeKey = "test-key-#Paycom&1";
    private const string PaymeMerchant = "5e730e8e0b852a417aa49ceb";
    private const string ClickService = "18519";
    private const string ClickMerchantId = "12345";
    private const string ClickSecret = "clicksecret-9";

    private static readonly Dictionary<string, string?> Providers = new()
    {
        ["Jobs:Workers"] = "0",
        ["Billing:Payme:MerchantId"] = PaymeMerchant,
        ["Billing:Payme:Key"] = PaymeKey,
        ["Billing:Click:ServiceId"] = ClickService,
        ["Billing:Click:MerchantId"] = ClickMerchantId,
        ["Billing:Click:SecretKey"] = ClickSecret,
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Payme_FullPaymentWithReplays_CreditsTheBalanceOnce(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, Providers);
        var (alice, _) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var payme = new PaymeCaller(http, PaymeKey);

        var offered = await alice.GetFromJsonAsync("/api/billing/providers", PoddleJsonContext.Default.PaymentProvidersResponse);
        Assert.Equal(["payme", "click"], offered!.Providers);
        var fund = await FundAsync(alice, "payme", 5_000_000);
        Assert.Equal("pending", fund.State);
        var checkout = Encoding.UTF8.GetString(Convert.FromBase64String(fund.PayUrl.AbsolutePath.Trim('/')));
        Assert.Equal("https://checkout.paycom.uz/", fund.PayUrl.GetLeftPart(UriPartial.Authority) + "/");
        Assert.Equal($"m={PaymeMerchant};ac.order_id={fund.PaymentId};a=5000000", checkout);

        Assert.True(PaymeCaller.Result(await payme.CheckPerformAsync(fund.PaymentId, 5_000_000)).GetProperty("allow").GetBoolean());
        var time = PaymeCaller.Now;
        var created = PaymeCaller.Result(await payme.CreateAsync("63f1d0a4e7c0b1a2c3d4e5f6", fund.PaymentId, 5_000_000, time));
        Assert.Equal((1, fund.PaymentId.ToString(System.Globalization.CultureInfo.InvariantCulture)), (created.GetProperty("state").GetInt32(), created.GetProperty("transaction").GetString()));
        var again = PaymeCaller.Result(await payme.CreateAsync("63f1d0a4e7c0b1a2c3d4e5f6", fund.PaymentId, 5_000_000, time));
        Assert.Equal(created.GetProperty("create_time").GetInt64(), again.GetProperty("create_time").GetInt64());
        Assert.Equal(0, await BalanceAsync(alice));

        var performed = PaymeCaller.Result(await payme.PerformAsync("63f1d0a4e7c0b1a2c3d4e5f6"));
        Assert.Equal(2, performed.GetProperty("state").GetInt32());
        var replay = PaymeCaller.Result(await payme.PerformAsync("63f1d0a4e7c0b1a2c3d4e5f6"));
        Assert.Equal(performed.GetProperty("perform_time").GetInt64(), replay.GetProperty("perform_time").GetInt64());
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => payme.PerformAsync("63f1d0a4e7c0b1a2c3d4e5f6")));

        Assert.Equal(5_000_000, await BalanceAsync(alice));
        var ledger = await alice.GetFromJsonAsync("/api/billing/transactions", PoddleJsonContext.Default.LedgerPageResponse);
        var entry = Assert.Single(ledger!.Entries);
        Assert.Equal(("payment", 5_000_000L, "payme:63f1d0a4e7c0b1a2c3d4e5f6"), (entry.Kind, entry.AmountMinor, entry.Reference));

        var check = PaymeCaller.Result(await payme.CheckAsync("63f1d0a4e7c0b1a2c3d4e5f6"));
        Assert.Equal(2, check.GetProperty("state").GetInt32());
        Assert.Equal(0, check.GetProperty("cancel_time").GetInt64());
        Assert.Equal(JsonValueKind.Null, check.GetProperty("reason").ValueKind);
        Assert.Equal(performed.GetProperty("perform_time").GetInt64(), check.GetProperty("perform_time").GetInt64());

        var statement = PaymeCaller.Result(await payme.StatementAsync(time - 1000, time + 1000)).GetProperty("transactions");
        var listed = Assert.Single(statement.EnumerateArray());
        Assert.Equal(("63f1d0a4e7c0b1a2c3d4e5f6", time, 5_000_000L, 2), (listed.GetProperty("id").GetString(), listed.GetProperty("time").GetInt64(), listed.GetProperty("amount").GetInt64(), listed.GetProperty("state").GetInt32()));
        Assert.Equal(fund.PaymentId.ToString(System.Globalization.CultureInfo.InvariantCulture), listed.GetProperty("account").GetProperty("order_id").GetString());
        Assert.Empty(PaymeCaller.Result(await payme.StatementAsync(time + 1001, time + 5000)).GetProperty("transactions").EnumerateArray());

        // A paid order takes no other transaction.
        Assert.Equal(-31052, PaymeCaller.ErrorCode(await payme.CreateAsync("another", fund.PaymentId, 5_000_000)));
        var payment = await alice.GetFromJsonAsync($"/api/billing/payments/{fund.PaymentId}", PoddleJsonContext.Default.PaymentResponse);
        Assert.Equal("performed", payment!.State);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Payme_WrongKeyAmountAccountOrMethod_AreItsErrorCodes_NothingCredited(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, Providers);
        var (alice, _) = await server.CreateUserAsync("alice");
        var (bob, _) = await server.CreateUserAsync("bob");
        using var http = server.CreateClient();
        var payme = new PaymeCaller(http, PaymeKey);
        var fund = await FundAsync(alice, "payme", 1_000_000);

        var wrongKey = new PaymeCaller(http, "not-the-key");
        Assert.Equal(-32504, PaymeCaller.ErrorCode(await wrongKey.CreateAsync("t1", fund.PaymentId, 1_000_000)));
        Assert.Equal(-32504, PaymeCaller.ErrorCode(await payme.CallAsync("CheckPerformTransaction", new JsonObject(), "Bearer not-a-payme-key")));
        Assert.Equal(-32504, PaymeCaller.ErrorCode(await payme.CallAsync("CheckPerformTransaction", new JsonObject(), "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("Other:" + PaymeKey)))));
        Assert.Equal(-31003, PaymeCaller.ErrorCode(await payme.CheckAsync("t1")));

        Assert.Equal(-31001, PaymeCaller.ErrorCode(await payme.CheckPerformAsync(fund.PaymentId, 999_999)));
        Assert.Equal(-31001, PaymeCaller.ErrorCode(await payme.CreateAsync("t1", fund.PaymentId, 1_000_001)));
        var unknown = await payme.CheckPerformAsync(fund.PaymentId + 1000, 1_000_000);
        Assert.Equal(-31050, PaymeCaller.ErrorCode(unknown));
        Assert.Equal("order_id", unknown.GetProperty("error").GetProperty("data").GetString());
        Assert.Equal(-31050, PaymeCaller.ErrorCode(await payme.CallAsync("CheckPerformTransaction", new JsonObject { ["amount"] = 1_000_000, ["account"] = new JsonObject { ["phone"] = "998901234567" } })));
        Assert.Equal(-31003, PaymeCaller.ErrorCode(await payme.PerformAsync("nope")));
        Assert.Equal(-31003, PaymeCaller.ErrorCode(await payme.CancelAsync("nope", 3)));
        Assert.Equal(-32601, PaymeCaller.ErrorCode(await payme.CallAsync("ChargeEveryone", new JsonObject())));
        Assert.Equal(-32600, PaymeCaller.ErrorCode(await payme.CallAsync("CheckPerformTransaction", new JsonObject { ["account"] = payme.Account(fund.PaymentId) })));
        Assert.Equal(-32700, PaymeCaller.ErrorCode(await payme.SendAsync("{not json")));

        // A Click payment is no Payme order.
        var click = await FundAsync(alice, "click", 1_000_000);
        Assert.Equal(-31050, PaymeCaller.ErrorCode(await payme.CheckPerformAsync(click.PaymentId, 1_000_000)));

        // One transaction per order: a second one while the first is open is an account error.
        Assert.Equal(1, PaymeCaller.Result(await payme.CreateAsync("t1", fund.PaymentId, 1_000_000)).GetProperty("state").GetInt32());
        Assert.Equal(-31051, PaymeCaller.ErrorCode(await payme.CreateAsync("t2", fund.PaymentId, 1_000_000)));

        Assert.Equal(0, await BalanceAsync(alice));
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/billing/payments/{fund.PaymentId}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Payme_CancelBeforeAndAfterPerform_CancelsOrRefundsOnce_SpentMoneyIsNotRefunded(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, Providers);
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var payme = new PaymeCaller(http, PaymeKey);

        // Cancelled before perform: state -1, nothing credited, no perform afterwards.
        var first = await FundAsync(alice, "payme", 1_000_000);
        PaymeCaller.Result(await payme.CreateAsync("c1", first.PaymentId, 1_000_000));
        var cancelled = PaymeCaller.Result(await payme.CancelAsync("c1", 3));
        Assert.Equal(-1, cancelled.GetProperty("state").GetInt32());
        Assert.Equal(-31008, PaymeCaller.ErrorCode(await payme.PerformAsync("c1")));
        var checkedCancel = PaymeCaller.Result(await payme.CheckAsync("c1"));
        Assert.Equal((-1, 3), (checkedCancel.GetProperty("state").GetInt32(), checkedCancel.GetProperty("reason").GetInt32()));
        Assert.Equal(0, await BalanceAsync(alice));

        // Cancelled after perform: state -2 and the credit debited back, once however often Payme repeats it.
        var second = await FundAsync(alice, "payme", 2_000_000);
        PaymeCaller.Result(await payme.CreateAsync("c2", second.PaymentId, 2_000_000));
        PaymeCaller.Result(await payme.PerformAsync("c2"));
        Assert.Equal(2_000_000, await BalanceAsync(alice));
        var refunded = PaymeCaller.Result(await payme.CancelAsync("c2", 5));
        Assert.Equal(-2, refunded.GetProperty("state").GetInt32());
        var replay = PaymeCaller.Result(await payme.CancelAsync("c2", 5));
        Assert.Equal(refunded.GetProperty("cancel_time").GetInt64(), replay.GetProperty("cancel_time").GetInt64());
        Assert.Equal(0, await BalanceAsync(alice));
        var kinds = (await alice.GetFromJsonAsync("/api/billing/transactions", PoddleJsonContext.Default.LedgerPageResponse))!.Entries.Select(e => (e.Kind, e.AmountMinor));
        Assert.Equal([("payment-refund", -2_000_000L), ("payment", 2_000_000L)], kinds);

        // Performed, then partly spent: the cancel is refused (-31007) and the payment stays performed.
        var third = await FundAsync(alice, "payme", 3_000_000);
        PaymeCaller.Result(await payme.CreateAsync("c3", third.PaymentId, 3_000_000));
        PaymeCaller.Result(await payme.PerformAsync("c3"));
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Ledger>().AppendAsync(
                new LedgerPosting(aliceTokens.User.Id, LedgerEntryKinds.Charge, -1, "usage", "charge:test"), CancellationToken.None);
        }

        Assert.Equal(-31007, PaymeCaller.ErrorCode(await payme.CancelAsync("c3", 5)));
        Assert.Equal(2, PaymeCaller.Result(await payme.CheckAsync("c3")).GetProperty("state").GetInt32());
        Assert.Equal(2_999_999, await BalanceAsync(alice));
    }

    /// <summary>Payme's 12-hour timeout, on the server's own clock (a fake one, advanced): the transaction is cancelled with reason 4.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Payme_NotPerformedWithin12Hours_IsCancelledWithReason4_AndCannotBePerformed(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(provider, Providers, b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var (alice, aliceTokens) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var payme = new PaymeCaller(http, PaymeKey);
        var fund = await FundAsync(alice, "payme", 1_000_000);
        var onTime = await FundAsync(alice, "payme", 1_000_000);
        var third = await FundAsync(alice, "payme", 1_000_000);

        var created = PaymeCaller.Result(await payme.CreateAsync("late", fund.PaymentId, 1_000_000, clock.GetUtcNow().ToUnixTimeMilliseconds()));
        PaymeCaller.Result(await payme.CreateAsync("in-time", onTime.PaymentId, 1_000_000, clock.GetUtcNow().ToUnixTimeMilliseconds()));
        clock.Advance(TimeSpan.FromHours(12));
        PaymeCaller.Result(await payme.PerformAsync("in-time"));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(-31008, PaymeCaller.ErrorCode(await payme.PerformAsync("late")));
        var check = PaymeCaller.Result(await payme.CheckAsync("late"));
        Assert.Equal((-1, 4), (check.GetProperty("state").GetInt32(), check.GetProperty("reason").GetInt32()));
        Assert.Equal(created.GetProperty("create_time").GetInt64() + 43_200_001, check.GetProperty("cancel_time").GetInt64());
        Assert.Equal(-31008, PaymeCaller.ErrorCode(await payme.CreateAsync("late", fund.PaymentId, 1_000_000)));

        // A new transaction whose Payme time is already over 12 hours old cannot be created either.
        Assert.Equal(-31008, PaymeCaller.ErrorCode(await payme.CreateAsync("stale", third.PaymentId, 1_000_000, clock.GetUtcNow().AddHours(-12).AddMilliseconds(-1).ToUnixTimeMilliseconds())));

        // Read on the server: alice's access token has expired on the advanced clock.
        await using var scope = server.Services.CreateAsyncScope();
        Assert.Equal(1_000_000, (await scope.ServiceProvider.GetRequiredService<BillingService>().GetBalanceAsync(aliceTokens.User.Id, CancellationToken.None)).BalanceMinor);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Click_PrepareAndComplete_WithReplays_CreditsTheBalanceOnce(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, Providers);
        var (alice, _) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var click = new ClickCaller(http, ClickService, ClickSecret);
        var fund = await FundAsync(alice, "click", 1_234_550);
        Assert.Equal(
            $"https://my.click.uz/services/pay?service_id={ClickService}&merchant_id={ClickMerchantId}&amount=12345.50&transaction_param={fund.PaymentId}",
            fund.PayUrl.AbsoluteUri);
        var order = fund.PaymentId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var prepared = await click.PrepareAsync(2_001, order, "12345.50");
        Assert.Equal(0, ClickCaller.Error(prepared));
        Assert.Equal("Success", prepared.GetProperty("error_note").GetString());
        Assert.Equal((2_001L, order, fund.PaymentId), (prepared.GetProperty("click_trans_id").GetInt64(), prepared.GetProperty("merchant_trans_id").GetString(), prepared.GetProperty("merchant_prepare_id").GetInt64()));
        Assert.Equal(fund.PaymentId, (await click.PrepareAsync(2_001, order, "12345.5")).GetProperty("merchant_prepare_id").GetInt64());
        Assert.Equal(0, await BalanceAsync(alice));

        var completed = await click.CompleteAsync(2_001, order, fund.PaymentId, "12345.50");
        Assert.Equal(0, ClickCaller.Error(completed));
        Assert.Equal(fund.PaymentId, completed.GetProperty("merchant_confirm_id").GetInt64());
        Assert.Equal(-4, ClickCaller.Error(await click.CompleteAsync(2_001, order, fund.PaymentId, "12345.50")));
        Assert.Equal(-4, ClickCaller.Error(await click.PrepareAsync(2_002, order, "12345.50")));

        Assert.Equal(1_234_550, await BalanceAsync(alice));
        var entry = Assert.Single((await alice.GetFromJsonAsync("/api/billing/transactions", PoddleJsonContext.Default.LedgerPageResponse))!.Entries);
        Assert.Equal(("payment", 1_234_550L, "click:2001"), (entry.Kind, entry.AmountMinor, entry.Reference));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Click_WrongSignAmountActionOrOrder_AreItsErrorCodes_FailedPaymentIsCancelled(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, Providers);
        var (alice, _) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var click = new ClickCaller(http, ClickService, ClickSecret);
        var fund = await FundAsync(alice, "click", 500_000);
        var order = fund.PaymentId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(-1, ClickCaller.Error(await click.PrepareAsync(3_001, order, "5000", secret: "guessed")));
        var tampered = click.Form(3_001, order, null, "5000", 0, 0, ClickSecret);
        tampered["amount"] = "1";
        Assert.Equal(-1, ClickCaller.Error(await click.PostAsync("prepare", tampered)));
        Assert.Equal(-2, ClickCaller.Error(await click.PrepareAsync(3_001, order, "4999.99")));
        Assert.Equal(-3, ClickCaller.Error(await click.PrepareAsync(3_001, order, "5000", action: 1)));
        Assert.Equal(-5, ClickCaller.Error(await click.PrepareAsync(3_001, "999999", "5000")));
        var missing = click.Form(3_001, order, null, "5000", 0, 0, ClickSecret);
        missing.Remove("sign_time");
        Assert.Equal(-8, ClickCaller.Error(await click.PostAsync("prepare", missing)));
        Assert.Equal(-6, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId, "5000")));

        Assert.Equal(0, ClickCaller.Error(await click.PrepareAsync(3_001, order, "5000")));
        Assert.Equal(-6, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId + 1, "5000")));
        Assert.Equal(-6, ClickCaller.Error(await click.CompleteAsync(3_002, order, fund.PaymentId, "5000")));
        Assert.Equal(-2, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId, "50")));
        Assert.Equal(-1, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId, "5000", secret: "guessed")));

        // Click reports that it could not take the money: the payment is cancelled and never credited.
        Assert.Equal(-9, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId, "5000", error: -5017)));
        Assert.Equal(-9, ClickCaller.Error(await click.CompleteAsync(3_001, order, fund.PaymentId, "5000")));
        Assert.Equal(-9, ClickCaller.Error(await click.PrepareAsync(3_003, order, "5000")));
        Assert.Equal(0, await BalanceAsync(alice));
        Assert.Equal("cancelled", (await alice.GetFromJsonAsync($"/api/billing/payments/{fund.PaymentId}", PoddleJsonContext.Default.PaymentResponse))!.State);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Fund_ProviderNotConfigured_IsNotOffered_AndItsCallbacksAre404(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["Jobs:Workers"] = "0",
            ["Billing:Payme:MerchantId"] = PaymeMerchant,
            ["Billing:Payme:Key"] = PaymeKey,
        });
        var (alice, _) = await server.CreateUserAsync("alice");
        using var anonymous = server.CreateClient();

        Assert.Equal(["payme"], (await alice.GetFromJsonAsync("/api/billing/providers", PoddleJsonContext.Default.PaymentProvidersResponse))!.Providers);
        var refused = await alice.PostAsJsonAsync("/api/billing/fund", new FundRequest("click", 1_000_000), PoddleJsonContext.Default.FundRequest);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemResponse>();
        Assert.Equal(["provider"], problem!.Errors!.Keys);
        var bad = await alice.PostAsJsonAsync("/api/billing/fund", new FundRequest("uzum", 99), PoddleJsonContext.Default.FundRequest);
        Assert.Equal(["amountMinor", "provider"], (await bad.Content.ReadFromJsonAsync<ProblemResponse>())!.Errors!.Keys.Order(StringComparer.Ordinal));
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["click_trans_id"] = "1" });
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync("/api/billing/click/prepare", form)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/billing/fund", new FundRequest("payme", 1_000_000), PoddleJsonContext.Default.FundRequest)).StatusCode);

        await using var none = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["Jobs:Workers"] = "0" });
        var (bob, _) = await none.CreateUserAsync("bob");
        Assert.Empty((await bob.GetFromJsonAsync("/api/billing/providers", PoddleJsonContext.Default.PaymentProvidersResponse))!.Providers);
        using var noneClient = none.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await noneClient.PostAsync("/api/billing/payme", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Payme_PaymentOfASuspendedOwner_ResumesTheOwnerAtOnce(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>(Providers)
        {
            ["Billing:Enabled"] = "true",
            ["Billing:SuspendAfter"] = "00:00:00",
        });
        var (alice, tokens) = await server.CreateUserAsync("alice");
        using var http = server.CreateClient();
        var payme = new PaymeCaller(http, PaymeKey);

        // Charges took the balance below zero; the monitor suspends at once (no grace).
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
            await ledger.EnsureAccountAsync(tokens.User.Id, CancellationToken.None);
            await ledger.AppendAsync(new LedgerPosting(tokens.User.Id, LedgerEntryKinds.Charge, -100, "usage", "charge:test"), CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckOwnerAsync(tokens.User.Id, CancellationToken.None);
        }

        Assert.NotNull((await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!.SuspendedAt);

        // No job runs in this server (Jobs:Workers=0): only the payment itself can resume the owner.
        var fund = await FundAsync(alice, "payme", 1_000_000);
        PaymeCaller.Result(await payme.CreateAsync("resume-1", fund.PaymentId, 1_000_000));
        Assert.Equal(2, PaymeCaller.Result(await payme.PerformAsync("resume-1")).GetProperty("state").GetInt32());

        var balance = (await alice.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!;
        Assert.Equal((999_900L, (DateTimeOffset?)null), (balance.BalanceMinor, balance.SuspendedAt));
    }

    private static async Task<FundResponse> FundAsync(HttpClient client, string provider, long amountMinor)
    {
        var response = await client.PostAsJsonAsync("/api/billing/fund", new FundRequest(provider, amountMinor), PoddleJsonContext.Default.FundRequest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(PoddleJsonContext.Default.FundResponse))!;
    }

    private static async Task<long> BalanceAsync(HttpClient client) =>
        (await client.GetFromJsonAsync("/api/billing/balance", PoddleJsonContext.Default.BalanceResponse))!.BalanceMinor;
}
