using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Billing;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing;

public sealed class BillingServiceTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 10, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// web (250 m, 100 MB) costs 35 000 tiyin an hour. Two hours rated (70 000) and half an hour not yet (17 500) make
    /// 87 500 so far; from 02:30 on the 10th to 1 February is 525.5 hours → 18 392 500 more at the current rate.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetUsageAsync_RatedAndUnratedHours_SumsThemAndEstimatesToMonthEnd_OnlyTheCallers(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var bob = await h.SeedOwnerAsync("bob");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        var other = await h.CreateDeploymentAsync(bob, "other", 1000, 1000);
        await h.StartReplicaAsync(web, T0);
        await h.StartReplicaAsync(other, T0);
        h.Clock.SetUtcNow(T0.AddHours(2).AddMinutes(10));
        Assert.Equal(4, await h.RateAsync());
        h.Clock.SetUtcNow(T0.AddHours(2).AddMinutes(30));

        await using var scope = h.Scope();
        var usage = await scope.ServiceProvider.GetRequiredService<BillingService>().GetUsageAsync(alice.Owner, CancellationToken.None);

        var item = Assert.Single(usage.Deployments);
        Assert.Equal((web, "web"), (item.DeploymentId, item.Name));
        Assert.Equal(87_500, item.AmountMinor);
        Assert.Equal(35_000, item.HourlyMinor);
        Assert.Equal(87_500 + 18_392_500, item.EstimateMinor);
        Assert.Equal(9000, item.ReplicaSeconds);
        Assert.Equal(250L * 9000, item.CpuMillicoreSeconds);
        Assert.Equal(100L * 9000, item.MemoryMbSeconds);
        Assert.Equal((87_500L, 18_480_000L), (usage.AmountMinor, usage.EstimateMinor));
        Assert.Equal(new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero), usage.MonthEnd);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreditAsync_GrantThenCharges_LedgerAlwaysSumsToBalance(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var admin = await h.SeedOwnerAsync("admin");
        var alice = await h.SeedOwnerAsync("alice");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        await using (var scope = h.Scope())
        {
            var service = scope.ServiceProvider.GetRequiredService<BillingService>();
            var entry = await service.CreditAsync(admin.Owner, alice.Owner, LedgerEntryKinds.Grant, 100_000, "trial", null, CancellationToken.None);
            Assert.True(entry.IsSuccess);
            Assert.Equal((admin.Owner, 100_000L), (entry.Value.ActorId, entry.Value.BalanceAfterMinor));
        }

        await h.StartReplicaAsync(web, T0.AddMinutes(1));
        h.Clock.SetUtcNow(T0.AddHours(5).AddMinutes(10));
        await h.RateAsync();

        Assert.Equal(100_000 - 35_000 - (4 * 35_000) + (35_000 - 34_417), await h.BalanceAsync(alice.Owner));
        Assert.Equal(await h.LedgerSumAsync(alice.Owner), await h.BalanceAsync(alice.Owner));
        await using (var scope = h.Scope())
        {
            var page = await scope.ServiceProvider.GetRequiredService<BillingService>().ListTransactionsAsync(alice.Owner, 0, 200, CancellationToken.None);
            Assert.Equal(6, page.Value.Total);

            // Each entry's balance-after is the running sum of the entries up to it.
            var running = 0L;
            foreach (var entry in page.Value.Entries.Reverse())
            {
                running += entry.AmountMinor;
                Assert.Equal(running, entry.BalanceAfterMinor);
            }
        }
    }
}
