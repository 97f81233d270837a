using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Agent.Tests.Support;
using Poddle.Contracts;
using Poddle.Core.Billing;
using Poddle.Core.Persistence;
using Poddle.Server.Tests.Endpoints;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 18's done-when flow against the real `poddle serve` process (its own data directory and defaults; Payme, Click,
/// prices, grace and monitor interval set by configuration as an operator would), the real sandbox driver and the proxy,
/// on SQLite and PostgreSQL: a user funds the balance through Payme's JSON-RPC and Click's signed Prepare/Complete played
/// over real HTTP (replays credit nothing more); runs a small app, scales it 1 → 2, stops and deletes it; its usage and
/// the month's invoice (JSON, HTML, CSV) equal the hand computation from the price list and the replica runs the API
/// reports, to the tiyin; the 3-day and 1-day warnings come as the burn grows, then (after Payme refunds the large
/// payment) a costly app spends the rest within seconds: warned at zero, suspended after the grace (its pods really stop,
/// its replicas kept), and a Payme payment resumes it (its pods really answer again). Each notice reaches the balance API
/// and a real webhook receiver once.
/// </summary>
public sealed class BillingEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const string PaymeKey = "e2e-payme-key-#1";
    private const string PaymeMerchant = "5e730e8e0b852a417aa49ceb";
    private const string ClickService = "18519";
    private const string ClickSecret = "e2e-click-secret";

    // The price list (minor units per hour, both tiers): 10 000 UZS per 250 millicores, 10 000 UZS per 100 MB, 1 000 UZS per replica.
    private const long CpuPer250Millicores = 1_000_000;
    private const long MemoryPer100Mb = 1_000_000;
    private const long ReplicaBase = 100_000;

    // web: 250 m and 100 MB, 1 unit of each: 1 000 000 + 1 000 000 + 100 000 = 2 100 000 tiyin an hour per replica.
    private const long WebHourly = (1 * CpuPer250Millicores) + (1 * MemoryPer100Mb) + ReplicaBase;

    // hog: 1000 m (4 units) and 500 MB (5 units): 4 000 000 + 5 000 000 + 100 000 = 9 100 000 tiyin an hour per replica, two replicas.
    private const long HogHourly = (4 * CpuPer250Millicores) + (5 * MemoryPer100Mb) + ReplicaBase;

    // Funding: 700 000 UZS by Payme and 2 500 UZS by Click. 70 250 000 tiyin lasts 33.5 h with one web replica (the 3-day
    // warning: 24 h ≤ 33.5 h < 72 h) and 16.7 h with two (the 1-day warning). After Payme refunds its 700 000 UZS, what is
    // left of the 2 500 UZS (less web's usage) lasts well under a minute at the hog's 18 200 000 tiyin an hour.
    private const long PaymeAmount = 70_000_000;
    private const long ClickAmount = 250_000;
    private const string ClickAmountText = "2500.00";
    private const long ResumeAmount = 5_000_000;

    private const string App = "exec python3 -m http.server \"$PORT\"";

    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task FundRunWarnSuspendResume_PaymeAndClickOverHttp_UsageAndInvoiceEqualTheHandComputation(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var hook = WebhookListener.Start();
        var home = PoddleProcess.NewHome("billing");
        var dataDir = Path.Combine(home, "data");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var settings = new Dictionary<string, string?>
        {
            ["PODDLE_DATABASE"] = database.Setting,
            ["PODDLE_Deployments__ReconcileInterval"] = "00:00:03",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
            ["PODDLE_Billing__Enabled"] = "true",
            ["PODDLE_Billing__GuardHours"] = "0",
            ["PODDLE_Billing__MonitorInterval"] = "00:00:01",
            ["PODDLE_Billing__SuspendAfter"] = "00:00:05",
            ["PODDLE_Billing__WebhookUrl"] = hook.Url.AbsoluteUri,
            ["PODDLE_Billing__PriceLists__0__Version"] = "e2e",
            ["PODDLE_Billing__PriceLists__0__EffectiveFrom"] = "2026-01-01T00:00:00Z",
            ["PODDLE_Billing__Payme__MerchantId"] = PaymeMerchant,
            ["PODDLE_Billing__Payme__Key"] = PaymeKey,
            ["PODDLE_Billing__Click__ServiceId"] = ClickService,
            ["PODDLE_Billing__Click__MerchantId"] = "12345",
            ["PODDLE_Billing__Click__SecretKey"] = ClickSecret,
        };
        foreach (var tier in new[] { "free", "pro" })
        {
            settings[$"PODDLE_Billing__PriceLists__0__Tiers__{tier}__CpuPer250Millicores"] = CpuPer250Millicores.ToString(CultureInfo.InvariantCulture);
            settings[$"PODDLE_Billing__PriceLists__0__Tiers__{tier}__MemoryPer100Mb"] = MemoryPer100Mb.ToString(CultureInfo.InvariantCulture);
            settings[$"PODDLE_Billing__PriceLists__0__Tiers__{tier}__ReplicaBase"] = ReplicaBase.ToString(CultureInfo.InvariantCulture);
        }

        var deploymentIds = new List<Guid>();
        try
        {
            await using var server = await PoddleProcess.StartServerAsync(url, home, settings);
            using var user = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            using var providerSide = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            using var proxy = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            var payme = new PaymeCaller(providerSide, PaymeKey);
            var click = new ClickCaller(providerSide, ClickService, ClickSecret);
            await SignUpAsync(user, "payer");
            var offered = (await user.GetFromJsonAsync<PaymentProvidersResponse>("/api/billing/providers"))!;
            Assert.Equal(["click", "payme"], offered.Providers.Order(StringComparer.Ordinal));

            // 1. Payme: CheckPerformTransaction, CreateTransaction, PerformTransaction (and a replayed Perform); Click:
            // Prepare, Complete (and a replayed Complete, "already paid"). The balance holds each credit once.
            var paymeFund = await DeploymentsEndToEndTests.PostAsync<FundResponse>(user, "/api/billing/fund", new FundRequest("payme", PaymeAmount));
            const string PaymeTransaction = "6750b1c2d3e4f5a6b7c8d9e0";
            await PayWithPaymeAsync(payme, PaymeTransaction, paymeFund.PaymentId, PaymeAmount);
            Assert.Equal(2, PaymeCaller.Result(await payme.PerformAsync(PaymeTransaction)).GetProperty("state").GetInt32());
            var clickFund = await DeploymentsEndToEndTests.PostAsync<FundResponse>(user, "/api/billing/fund", new FundRequest("click", ClickAmount));
            var order = clickFund.PaymentId.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(0, ClickCaller.Error(await click.PrepareAsync(90_001, order, ClickAmountText)));
            Assert.Equal(0, ClickCaller.Error(await click.CompleteAsync(90_001, order, clickFund.PaymentId, ClickAmountText)));
            Assert.Equal(-4, ClickCaller.Error(await click.CompleteAsync(90_001, order, clickFund.PaymentId, ClickAmountText)));
            var funded = await BalanceAsync(user);
            Assert.Equal((PaymeAmount + ClickAmount, "UZS", (string?)null), (funded.BalanceMinor, funded.Currency, funded.Warning));
            var credits = await LedgerAsync(user);
            Assert.Equal(
                [("payment", PaymeAmount, $"payme:{PaymeTransaction}"), ("payment", ClickAmount, "click:90001")],
                credits.OrderBy(e => e.CreatedAt).Select(e => (e.Kind, e.AmountMinor, e.Reference)));

            // 2. A small app on the sandbox: one replica (the balance lasts 33.5 h: the 3-day warning), then two (16.7 h:
            // the 1-day warning), then stopped and deleted.
            var project = await DeploymentsEndToEndTests.PostAsync<ProjectResponse>(user, "/api/projects", new CreateProjectRequest("shop"));
            var web = await DeployAsync(user, project.Id, "web", new ResourcesDto(250, 100), 1);
            deploymentIds.Add(web.Id);
            await DeploymentsEndToEndTests.WaitForAsync(user, web.Id, d => d.Status == "running" && d.ReadyReplicas == 1, "web running", Slow);
            await WaitForAnswerAsync(proxy, "web-shop.localhost", HttpStatusCode.OK);
            await WaitForWarningAsync(user, BalanceWarnings.LowThreeDays, WebHourly);
            await WaitForNoticeAsync(hook, BillingNoticeKinds.LowThreeDays);

            await DeploymentsEndToEndTests.PatchAsync(user, $"/api/deployments/{web.Id}/scale", new ScaleDeploymentRequest(2));
            await DeploymentsEndToEndTests.WaitForAsync(user, web.Id, d => d.Status == "running" && d.ReadyReplicas == 2, "web scaled to 2", Slow);
            await WaitForWarningAsync(user, BalanceWarnings.LowOneDay, 2 * WebHourly);
            await WaitForNoticeAsync(hook, BillingNoticeKinds.LowOneDay);

            await DeploymentsEndToEndTests.PatchAsync(user, $"/api/deployments/{web.Id}/scale", new ScaleDeploymentRequest(0));
            await DeploymentsEndToEndTests.WaitForAsync(user, web.Id, d => d.Status == "stopped" && d.ReplicaDetails.All(r => r.Phase != "running"), "web stopped", Slow);
            Assert.Equal(HttpStatusCode.Accepted, (await user.DeleteAsync($"/api/deployments/{web.Id}")).StatusCode);
            await DeploymentsEndToEndTests.WaitForAsync(user, web.Id, d => d.Status == "deleted", "web deleted", Slow);

            // The hand computation: each run's whole seconds inside each clock hour × the replica's hourly price, summed
            // per hour and rounded half up to the tiyin once per hour (docs/billing.md), from the runs as recorded.
            var runs = (await user.GetFromJsonAsync<List<ReplicaRunResponse>>($"/api/billing/usage/{web.Id}/runs"))!;
            Assert.True(runs.Count >= 2, $"{runs.Count} runs"); // the first replica, the second from the scale to 2 (and any restart)
            Assert.All(runs, r => Assert.True(r.StoppedAt is not null && (r.CpuMillicores, r.MemoryMb) == (250, 100), $"{r}"));
            var hand = HandComputed(runs, WebHourly);
            var usage = (await user.GetFromJsonAsync<UsageResponse>("/api/billing/usage"))!;
            var line = Assert.Single(usage.Deployments);
            Assert.Equal((web.Id, hand.AmountMinor, hand.Seconds, hand.Seconds * 250, hand.Seconds * 100, 0L), (line.DeploymentId, line.AmountMinor, line.ReplicaSeconds, line.CpuMillicoreSeconds, line.MemoryMbSeconds, line.HourlyMinor));
            Assert.Equal(hand.AmountMinor, usage.AmountMinor);

            // The month's invoice: the two payments; the hours rated so far are its charges, the rest is not charged yet
            // (the balance's unratedMinor): together exactly the hand computation. HTML and CSV carry the same totals.
            var month = usage.From.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var invoice = (await user.GetFromJsonAsync<InvoiceResponse>($"/api/billing/invoices/{month}"))!;
            var balance = await BalanceAsync(user);
            Assert.Equal((0L, PaymeAmount + ClickAmount, 0L), (invoice.OpeningMinor, invoice.PaymentsMinor, invoice.AdjustmentsMinor));
            Assert.Equal(hand.AmountMinor, invoice.ChargesMinor + balance.UnratedMinor);
            Assert.Equal((balance.BalanceMinor, PaymeAmount + ClickAmount - invoice.ChargesMinor), (invoice.ClosingMinor, invoice.ClosingMinor));
            await AssertPrintedInvoiceAsync(user, month, invoice);

            // 3. Payme refunds its payment (CancelTransaction after perform, reason 5): what is left lasts seconds at the
            // hog's price. The 1-day level holds at once (notified already in this funding period: not again), then zero,
            // then suspension after the 5-second grace: its pods stop, the proxy has no replica, its replicas are kept.
            var cancelled = PaymeCaller.Result(await payme.CancelAsync(PaymeTransaction, 5));
            Assert.Equal(-2, cancelled.GetProperty("state").GetInt32());
            Assert.Equal(ClickAmount - invoice.ChargesMinor, (await BalanceAsync(user)).BalanceMinor);
            var hog = await DeployAsync(user, project.Id, "hog", new ResourcesDto(1000, 500), 2);
            deploymentIds.Add(hog.Id);
            await DeploymentsEndToEndTests.WaitForAsync(user, hog.Id, d => d.Status == "running" && d.ReadyReplicas == 2, "hog running", Slow);
            await WaitForAnswerAsync(proxy, "hog-shop.localhost", HttpStatusCode.OK);
            await WaitForWarningAsync(user, BalanceWarnings.Depleted, null);
            var suspended = await DeploymentsEndToEndTests.WaitForAsync(user, hog.Id, d => d.Status == "suspended" && d.ReplicaDetails.All(r => r.Phase == "stopped"), "hog suspended", Slow);
            Assert.Equal((2, 0), (suspended.Replicas, suspended.ReadyReplicas));
            Assert.NotNull((await BalanceAsync(user)).SuspendedAt);
            await WaitForAnswerAsync(proxy, "hog-shop.localhost", HttpStatusCode.ServiceUnavailable);

            // A Payme payment resumes it: both replicas really come back and answer.
            var resumeFund = await DeploymentsEndToEndTests.PostAsync<FundResponse>(user, "/api/billing/fund", new FundRequest("payme", ResumeAmount));
            await PayWithPaymeAsync(payme, "6750b1c2d3e4f5a6b7c8d9e1", resumeFund.PaymentId, ResumeAmount);
            await DeploymentsEndToEndTests.WaitForAsync(user, hog.Id, d => d.Status == "running" && d.Replicas == 2 && d.ReadyReplicas == 2, "hog resumed", Slow);
            await WaitForAnswerAsync(proxy, "hog-shop.localhost", HttpStatusCode.OK);
            Assert.Null((await BalanceAsync(user)).SuspendedAt);

            // Each notice reached the webhook once: in the funding period of the Click payment the 3-day, 1-day and zero
            // warnings and the suspension; the resume in the next one (the Payme payment's).
            await WaitForNoticeAsync(hook, BillingNoticeKinds.Resumed);
            var notices = Notices(hook);
            Assert.Equal(notices.Count, notices.Select(n => (n.Kind, n.Period)).Distinct().Count());
            var period = notices.Single(n => n.Kind == BillingNoticeKinds.Suspended).Period;
            Assert.Equal(
                [BillingNoticeKinds.Depleted, BillingNoticeKinds.LowOneDay, BillingNoticeKinds.LowThreeDays, BillingNoticeKinds.Suspended],
                notices.Where(n => n.Period == period).Select(n => n.Kind).Order(StringComparer.Ordinal));
            Assert.True(notices.Single(n => n.Kind == BillingNoticeKinds.Resumed).Period > period);

            // Delete it; the ledger sums to the balance, and the invoice to its closing balance.
            Assert.Equal(HttpStatusCode.Accepted, (await user.DeleteAsync($"/api/deployments/{hog.Id}")).StatusCode);
            await DeploymentsEndToEndTests.WaitForAsync(user, hog.Id, d => d.Status == "deleted", "hog deleted", Slow);
            balance = await BalanceAsync(user);
            var ledger = await LedgerAsync(user);
            Assert.Equal(balance.BalanceMinor, ledger.Sum(e => e.AmountMinor));
            Assert.Contains(ledger, e => (e.Kind, e.AmountMinor) == ("payment-refund", -PaymeAmount));
            invoice = (await user.GetFromJsonAsync<InvoiceResponse>($"/api/billing/invoices/{month}"))!;
            Assert.Equal((PaymeAmount + ClickAmount + ResumeAmount, -PaymeAmount, balance.BalanceMinor), (invoice.PaymentsMinor, invoice.AdjustmentsMinor, invoice.ClosingMinor));
            await AssertPrintedInvoiceAsync(user, month, invoice);
        }
        finally
        {
            await DeploymentsEndToEndTests.CleanUpLeftoversAsync(dataDir, deploymentIds);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
        }
    }

    /// <summary>Σ per clock hour of (whole seconds of each run inside the hour × hourly price), rounded half up per hour; and the seconds.</summary>
    private static (long AmountMinor, long Seconds) HandComputed(IEnumerable<ReplicaRunResponse> runs, long hourlyPerReplica)
    {
        var priceSecondsPerHour = new Dictionary<DateTimeOffset, long>();
        long seconds = 0;
        foreach (var run in runs)
        {
            var stop = run.StoppedAt!.Value;
            for (var hour = new DateTimeOffset(run.StartedAt.UtcDateTime.Date.AddHours(run.StartedAt.UtcDateTime.Hour), TimeSpan.Zero); hour < stop; hour = hour.AddHours(1))
            {
                var from = run.StartedAt > hour ? run.StartedAt : hour;
                var to = stop < hour.AddHours(1) ? stop : hour.AddHours(1);
                var inHour = Math.Max(0, (to - from).Ticks / TimeSpan.TicksPerSecond);
                priceSecondsPerHour[hour] = priceSecondsPerHour.GetValueOrDefault(hour) + (hourlyPerReplica * inHour);
                seconds += inHour;
            }
        }

        return (priceSecondsPerHour.Values.Sum(ps => (ps + 1800) / 3600), seconds);
    }

    /// <summary>The printed invoice (HTML) shows the JSON's totals; the CSV's amounts sum from the opening to the closing balance.</summary>
    private static async Task AssertPrintedInvoiceAsync(HttpClient user, string month, InvoiceResponse invoice)
    {
        var html = await user.GetStringAsync($"/api/billing/invoices/{month}.html");
        Assert.Contains($"Total charges</td><td class=\"n\">{Major(invoice.ChargesMinor)}</td>", html, StringComparison.Ordinal);
        Assert.Contains($"Closing balance</th><td class=\"n\">{Major(invoice.ClosingMinor)} UZS</td>", html, StringComparison.Ordinal);

        var rows = (await user.GetStringAsync($"/api/billing/invoices/{month}.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(CsvCells).ToList();
        var amounts = rows.Select(r => (Section: r[0], Minor: long.Parse(r[9], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(invoice.OpeningMinor, amounts.Single(a => a.Section == "opening").Minor);
        Assert.Equal(invoice.ClosingMinor, amounts.Single(a => a.Section == "closing").Minor);
        Assert.Equal(-invoice.ChargesMinor, amounts.Where(a => a.Section == "charge").Sum(a => a.Minor));
        Assert.Equal(invoice.PaymentsMinor, amounts.Where(a => a.Section == "payment").Sum(a => a.Minor));
        Assert.Equal(invoice.ClosingMinor, amounts.Where(a => a.Section != "closing").Sum(a => a.Minor));
    }

    /// <summary>One RFC 4180 line's cells (quoted cells may hold commas and doubled quotes).</summary>
    private static List<string> CsvCells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static string Major(long minor) =>
        string.Create(CultureInfo.InvariantCulture, $"{(minor < 0 ? "-" : "")}{Math.Abs(minor) / 100}.{Math.Abs(minor) % 100:00}");

    private static async Task PayWithPaymeAsync(PaymeCaller payme, string transaction, long paymentId, long amount)
    {
        Assert.True(PaymeCaller.Result(await payme.CheckPerformAsync(paymentId, amount)).GetProperty("allow").GetBoolean());
        Assert.Equal(1, PaymeCaller.Result(await payme.CreateAsync(transaction, paymentId, amount)).GetProperty("state").GetInt32());
        Assert.Equal(2, PaymeCaller.Result(await payme.PerformAsync(transaction)).GetProperty("state").GetInt32());
    }

    private static Task<DeploymentResponse> DeployAsync(HttpClient user, Guid project, string name, ResourcesDto resources, int replicas) =>
        DeploymentsEndToEndTests.PostAsync<DeploymentResponse>(user, $"/api/projects/{project}/deployments", new CreateDeploymentRequest(
            name,
            Command: ["/bin/sh", "-c", App],
            Resources: resources,
            Replicas: replicas,
            HealthCheck: new HealthCheckDto("http", Path: "/", PeriodSeconds: 1, FailureThreshold: 3),
            Driver: "sandbox"));

    private static async Task SignUpAsync(HttpClient http, string username)
    {
        (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest(username + "@example.test", username, Password))).EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, Password));
        login.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
    }

    private static async Task<BalanceResponse> BalanceAsync(HttpClient user) => (await user.GetFromJsonAsync<BalanceResponse>("/api/billing/balance"))!;

    private static async Task<IReadOnlyList<LedgerEntryResponse>> LedgerAsync(HttpClient user) =>
        (await user.GetFromJsonAsync<LedgerPageResponse>("/api/billing/transactions?limit=200"))!.Entries;

    /// <summary>Waits until the balance API shows <paramref name="warning"/> at a burn of <paramref name="hourly"/> (what runs now; any when null).</summary>
    private static async Task WaitForWarningAsync(HttpClient user, string warning, long? hourly)
    {
        BalanceResponse? last = null;
        await Poll.UntilAsync(
            async () => (last = await BalanceAsync(user)) is { } b && b.Warning == warning && (hourly is null || b.HourlyMinor == hourly),
            $"the balance shows {warning} at {hourly} an hour",
            Slow,
            () => Task.FromResult($"{last}"));
    }

    private static Task WaitForNoticeAsync(WebhookListener hook, string kind) =>
        Poll.UntilAsync(() => Notices(hook).Any(n => n.Kind == kind), $"the webhook receives {kind}", Slow, () => string.Join(", ", Notices(hook).Select(n => $"{n.Kind}@{n.Period}")));

    private static List<(string Kind, long Period)> Notices(WebhookListener hook) =>
        [.. hook.Requests.Where(r => r.Method == "POST").Select(r =>
        {
            using var body = JsonDocument.Parse(r.Body);
            return (body.RootElement.GetProperty("kind").GetString()!, body.RootElement.GetProperty("period").GetInt64());
        })];

    private static Task WaitForAnswerAsync(HttpClient proxy, string host, HttpStatusCode status) =>
        Poll.UntilAsync(
            async () =>
            {
                using var response = await DeploymentsEndToEndTests.SendThroughProxyAsync(proxy, host);
                return response.StatusCode == status;
            },
            $"{host} answers {(int)status} through the proxy",
            Slow);
}
