using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Billing;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Email;
using Poddle.Core.Persistence;
using Poddle.Core.Tests.Deployments;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing;

public sealed class BillingMonitorTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 10, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(100, 0, null)]
    [InlineData(0, 0, null)]
    [InlineData(-1, 0, BillingNoticeKinds.Depleted)]
    [InlineData(0, 10, BillingNoticeKinds.Depleted)]
    [InlineData(239, 10, BillingNoticeKinds.LowOneDay)]
    [InlineData(240, 10, BillingNoticeKinds.LowThreeDays)]
    [InlineData(719, 10, BillingNoticeKinds.LowThreeDays)]
    [InlineData(720, 10, null)]
    public void WarningOf_BalanceAndBurn_IsTheLevel(long balance, long hourly, string? expected) =>
        Assert.Equal(expected, BillingMonitor.WarningOf(balance, hourly));

    /// <summary>
    /// The real controller (fake pods) with billing on a fake clock: two replicas of 250 m / 128 MB cost 2 × 40 000 tiyin an
    /// hour; 80 hours of it are granted. Hour by hour (rated, then checked twice, as two servers would): one notice per
    /// level (3 days, 1 day, zero), suspension only once the balance available (the ledger's less the usage not rated
    /// yet) has been below zero for the grace (2 h), pods
    /// destroyed and the status "suspended" with the two replicas kept; nothing may start; an admin's credit resumes at
    /// once and the pods come back. The ledger sums to the balance throughout.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_BalanceRunsDown_WarnsOncePerLevel_SuspendsAfterGrace_CreditResumes(DatabaseProvider provider)
    {
        var grace = TimeSpan.FromHours(2);
        await using var h = await ControllerHarness.CreateAsync(provider, services =>
        {
            services.AddPoddleBilling(options => options.Configure(o =>
            {
                o.Enabled = true;
                o.GuardHours = 0;
                o.SuspendAfter = grace;
            }));
        });
        await using (var scope = h.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<UsageRater>().BeginAsync(CancellationToken.None);
        }

        const long Hourly = 2 * 40_000;
        await CreditAsync(h, 80 * Hourly);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        Assert.Equal(2, (await h.ReplicasAsync(id)).Count(r => r.Phase == ReplicaPhase.Running));

        DateTimeOffset? overdrawnAt = null;
        for (var hour = 0; hour < 100 && await SuspendedAtAsync(h) is null; hour++)
        {
            h.Clock.Advance(TimeSpan.FromHours(1));
            await using var scope = h.Scope();
            await scope.ServiceProvider.GetRequiredService<UsageRater>().RateDueAsync(CancellationToken.None);
            var view = await scope.ServiceProvider.GetRequiredService<BillingService>().GetBalanceAsync(h.OwnerId, CancellationToken.None);
            overdrawnAt ??= view.BalanceMinor - view.UnratedMinor < 0 ? h.Clock.GetUtcNow() : null;
            await CheckAllAsync(h);
            await CheckAllAsync(h);
            if (await SuspendedAtAsync(h) is { } suspendedAt)
            {
                Assert.True(suspendedAt - overdrawnAt >= grace, $"suspended at {suspendedAt}, below zero since {overdrawnAt}");
            }
            else if (overdrawnAt is { } since)
            {
                Assert.True(h.Clock.GetUtcNow() - since < grace + TimeSpan.FromHours(1));
            }
        }

        Assert.NotNull(await SuspendedAtAsync(h));
        var notices = await NoticesAsync(h);
        Assert.Equal(
            [BillingNoticeKinds.LowThreeDays, BillingNoticeKinds.LowOneDay, BillingNoticeKinds.Depleted, BillingNoticeKinds.Suspended],
            notices.Select(n => n.Kind));
        Assert.InRange(notices[0].BalanceMinor, 24 * Hourly, (72 * Hourly) - 1);
        Assert.InRange(notices[1].BalanceMinor, 1, (24 * Hourly) - 1);
        Assert.True(notices[2].BalanceMinor <= 0);
        Assert.All(notices, n => Assert.Equal(1, n.Period));

        // The controller stops every pod; the desired replicas are kept; the status is not "stopped".
        await h.SettleAsync();
        var suspended = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Suspended, 0, 2), (suspended.Status, suspended.Replicas, suspended.SuspendedReplicas));
        Assert.Empty(await h.ReplicasAsync(id));
        Assert.Empty(h.Driver.Running);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == BillingSuspension.SuspendedEvent);
        await using (var scope = h.Scope())
        {
            var guard = scope.ServiceProvider.GetRequiredService<IDeploymentBalanceGuard>();
            var refused = await guard.CheckAsync(h.OwnerId, new ResourceSpec(250, 128), 1, CancellationToken.None);
            Assert.Equal(BillingErrorCodes.AccountSuspended, refused?.Code);
            Assert.Equal(ErrorKind.PaymentRequired, refused?.Kind);
        }

        // Nothing runs while suspended: once the hour the pods stopped in is rated (due 5 minutes after it ends; charged up
        // to the stop), later hours charge nothing, and checks change nothing.
        h.Clock.Advance(TimeSpan.FromHours(2));
        await RateAsync(h);
        var balanceWhileSuspended = await BalanceAsync(h);
        h.Clock.Advance(TimeSpan.FromHours(3));
        await RateAsync(h);

        await CheckAllAsync(h);
        Assert.Equal(balanceWhileSuspended, await BalanceAsync(h));
        Assert.Equal(4, (await NoticesAsync(h)).Count);

        // A credit resumes at once (the same path a payment takes), and the pods come back.
        await CreditAsync(h, 10 * Hourly);
        Assert.Null(await SuspendedAtAsync(h));
        var resumed = await h.GetAsync(id);
        Assert.Equal((2, (int?)null), (resumed.Replicas, resumed.SuspendedReplicas));
        await h.SettleAsync();
        Assert.Equal(2, (await h.ReplicasAsync(id)).Count(r => r.Phase == ReplicaPhase.Running));
        Assert.Equal(2, h.Driver.Running.Count);
        Assert.Equal(DeploymentStatus.Running, (await h.GetAsync(id)).Status);
        Assert.Contains(await h.EventsAsync(id), e => e.Type == BillingSuspension.ResumedEvent);
        await CheckAllAsync(h);
        var after = await NoticesAsync(h);
        Assert.Single(after, n => n.Kind == BillingNoticeKinds.Resumed);
        Assert.Single(after, n => n.Kind == BillingNoticeKinds.Suspended);
        Assert.Equal(await LedgerSumAsync(h), await BalanceAsync(h));
    }

    /// <summary>
    /// Usage not rated yet counts against the balance: an hour's worth of credit at 80 000 tiyin an hour is spent within
    /// that hour, before the hour is rated (5 minutes after it ends). The monitor warns at half an hour, sees zero once the
    /// usage so far exceeds the credit, and suspends after the 10-minute grace counted from that zero notice, all before
    /// any charge is written; rating the hour then leaves what is available unchanged. (Judged on the ledger balance alone,
    /// which stays at the credit until the hour is rated, none of this happened within the hour.)
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Monitor_UsageNotRatedYet_CountsAgainstTheBalance_ZeroAndSuspensionWithinTheHour(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider, services =>
            services.AddPoddleBilling(options => options.Configure(o =>
            {
                o.Enabled = true;
                o.GuardHours = 0;
                o.SuspendAfter = TimeSpan.FromMinutes(10);
            })));
        await using (var scope = h.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<UsageRater>().BeginAsync(CancellationToken.None);
        }

        const long Hourly = 2 * 40_000;
        await CreditAsync(h, Hourly);
        var id = await h.CreateDeploymentAsync(2);
        await h.SettleAsync();
        var started = h.Clock.GetUtcNow();

        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await CheckAllAsync(h);
        Assert.Equal([BillingNoticeKinds.LowOneDay], (await NoticesAsync(h)).Select(n => n.Kind));

        h.Clock.Advance(TimeSpan.FromMinutes(31));
        await CheckAllAsync(h);
        Assert.Equal(Hourly, await BalanceAsync(h)); // nothing charged yet: the hour is not due
        var zero = Assert.Single(await NoticesAsync(h), n => n.Kind == BillingNoticeKinds.Depleted);
        Assert.True(zero.BalanceMinor < 0, $"{zero.BalanceMinor}");
        Assert.Null(await SuspendedAtAsync(h));

        h.Clock.Advance(TimeSpan.FromMinutes(9));
        await CheckAllAsync(h);
        Assert.Null(await SuspendedAtAsync(h));
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await CheckAllAsync(h);
        Assert.NotNull(await SuspendedAtAsync(h));

        // Rating the hours moves the ledger, not what is available.
        await h.SettleAsync();
        var suspended = await h.GetAsync(id);
        Assert.Equal((DeploymentStatus.Suspended, (int?)2), (suspended.Status, suspended.SuspendedReplicas));
        BalanceView before;
        await using (var scope = h.Scope())
        {
            before = await scope.ServiceProvider.GetRequiredService<BillingService>().GetBalanceAsync(h.OwnerId, CancellationToken.None);
        }

        h.Clock.Advance(TimeSpan.FromHours(1));
        await RateAsync(h);
        await using (var scope = h.Scope())
        {
            var after = await scope.ServiceProvider.GetRequiredService<BillingService>().GetBalanceAsync(h.OwnerId, CancellationToken.None);
            Assert.True(before.UnratedMinor > 0 && after.UnratedMinor == 0, $"{before} {after}");
            Assert.Equal(before.BalanceMinor - before.UnratedMinor, after.BalanceMinor);
        }

        Assert.True(h.Clock.GetUtcNow() - started > TimeSpan.FromHours(1));
        Assert.Equal(await LedgerSumAsync(h), await BalanceAsync(h));
    }

    /// <summary>
    /// The monitor loop begins billing (the rated-hour marker) on its first pass, so a server started with billing on at
    /// 10:50 bills from 10:50 on; before, billing began at the first rating run, which with the default schedule could be
    /// 11:00 — and then the hour 10:00 was marked rated with nothing charged.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task MonitorLoop_FirstPass_BeginsBillingInTheHourTheServerStarted(DatabaseProvider provider)
    {
        await using var h = await ControllerHarness.CreateAsync(provider, services =>
            services.AddPoddleBilling(options => options.Configure(o => o.Enabled = true)));
        h.Clock.Advance(TimeSpan.FromMinutes(50));
        var loop = h.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<BillingMonitorLoop>().Single();
        await loop.RunOnceAsync(CancellationToken.None);
        await using var scope = h.Scope();
        var marker = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<RatedHour>().Select(r => r.HourStart).ToListAsync();
        Assert.Equal([UsageMeter.HourOf(h.Clock.GetUtcNow()).AddHours(-1)], marker);
    }

    /// <summary>
    /// A notice goes out once by mail (the real SMTP server the account tests use) and once by webhook (a real HTTP
    /// listener), however many times the balance is checked; only verified addresses get mail.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Notices_LowBalance_OneMailAndOneWebhook_HoweverOftenChecked(DatabaseProvider provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        using var webhook = new HttpListener();
        var port = FreePort.Next();
        webhook.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        webhook.Start();
        var received = new List<string>();
        var listening = Task.Run(async () =>
        {
            while (webhook.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await webhook.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                lock (received)
                {
                    received.Add(body);
                }

                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });

        await using var h = await BillingHarness.CreateAsync(provider, T0, services =>
        {
            services.Configure<BillingOptions>(o => o.WebhookUrl = $"http://127.0.0.1:{port}/hook/billing");
            services.AddPoddleEmail(options => options.Configure(o =>
            {
                o.Smtp.Host = "127.0.0.1";
                o.Smtp.Port = smtp.Port;
                o.Smtp.Security = SmtpSecurity.None;
                o.Smtp.From = SmtpTestServer.From;
            }));
        });
        var alice = await h.SeedOwnerAsync("alice");
        var bob = await h.SeedOwnerAsync("bob");
        await using (var scope = h.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            await db.Users.Where(u => u.Id == alice.Owner).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailVerifiedAt, T0));
            var service = scope.ServiceProvider.GetRequiredService<BillingService>();
            await service.CreditAsync(alice.Owner, alice.Owner, LedgerEntryKinds.Grant, 100_000, "trial", null, CancellationToken.None);
            await service.CreditAsync(bob.Owner, bob.Owner, LedgerEntryKinds.Grant, 100_000, "trial", null, CancellationToken.None);
        }

        await h.StartReplicaAsync(await h.CreateDeploymentAsync(alice, "web", 250, 100), T0);
        await h.StartReplicaAsync(await h.CreateDeploymentAsync(bob, "api", 250, 100), T0);
        for (var i = 0; i < 3; i++)
        {
            await using var scope = h.Scope();
            await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckAllAsync(CancellationToken.None);
            await h.RunJobsAsync();
        }

        var mail = await smtp.WaitForAsync(m => m.Subject == BillingNoticeJob.Subject(BillingNoticeKinds.LowOneDay), "the one-day warning");
        Assert.Equal(["alice@example.test"], mail.To);
        Assert.Contains("1000.00 UZS", mail.Body, StringComparison.Ordinal);
        await Poll.UntilAsync(() => { lock (received) { return received.Count >= 2; } }, "both owners' webhooks");
        webhook.Stop();
        await listening;

        // Bob's address is not verified: no mail, but the operator's webhook hears of both.
        Assert.Single(smtp.Messages());
        Assert.Equal(2, received.Count);
        var kinds = received.Select(b => JsonDocument.Parse(b).RootElement).Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("balanceMinor").GetInt64())).ToList();
        Assert.All(kinds, k => Assert.Equal((BillingNoticeKinds.LowOneDay, 100_000L), k));
        await using (var scope = h.Scope())
        {
            var balance = await scope.ServiceProvider.GetRequiredService<BillingService>().GetBalanceAsync(alice.Owner, CancellationToken.None);
            Assert.Equal((BillingNoticeKinds.LowOneDay, 35_000L), (balance.Warning, balance.HourlyMinor));
            Assert.Equal(T0.AddSeconds(100_000L * 3600 / 35_000), balance.RunsOutAt);
        }
    }

    private static async Task CreditAsync(ControllerHarness h, long amount)
    {
        await using var scope = h.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<BillingService>()
            .CreditAsync(h.OwnerId, h.OwnerId, LedgerEntryKinds.Grant, amount, "test credit", null, CancellationToken.None);
        Assert.True(result.IsSuccess);
    }

    private static async Task RateAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        await scope.ServiceProvider.GetRequiredService<UsageRater>().RateDueAsync(CancellationToken.None);
    }

    private static async Task CheckAllAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        await scope.ServiceProvider.GetRequiredService<BillingMonitor>().CheckAllAsync(CancellationToken.None);
    }

    private static async Task<DateTimeOffset?> SuspendedAtAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<BillingAccount>()
            .Where(a => a.OwnerId == h.OwnerId).Select(a => a.SuspendedAt).SingleAsync();
    }

    private static async Task<long> BalanceAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        return await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<BillingAccount>()
            .Where(a => a.OwnerId == h.OwnerId).Select(a => a.BalanceMinor).SingleAsync();
    }

    private static async Task<long> LedgerSumAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        var amounts = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<LedgerEntry>()
            .Where(e => e.OwnerId == h.OwnerId).Select(e => e.AmountMinor).ToListAsync();
        return amounts.Sum();
    }

    private static async Task<List<BillingNotice>> NoticesAsync(ControllerHarness h)
    {
        await using var scope = h.Scope();
        var notices = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<BillingNotice>().AsNoTracking()
            .Where(n => n.OwnerId == h.OwnerId).ToListAsync();
        return [.. notices.OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)];
    }
}
