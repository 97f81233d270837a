using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Billing;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Billing;

public sealed class UsageRaterTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateDueAsync_EightConcurrentRaters_ExactlyOneChargePerDeploymentHour(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var bob = await h.SeedOwnerAsync("bob");
        var deployments = new[]
        {
            await h.CreateDeploymentAsync(alice, "web", 250, 100),
            await h.CreateDeploymentAsync(alice, "api", 500, 256),
            await h.CreateDeploymentAsync(bob, "web", 1000, 512),
        };
        foreach (var id in deployments)
        {
            await h.StartReplicaAsync(id, T0.AddMinutes(1));
        }

        h.Clock.SetUtcNow(T0.AddHours(6).AddMinutes(10));
        using var start = new Barrier(8);
        var written = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await h.RateAsync();
        })));

        var charges = await h.ChargesAsync();
        Assert.Equal(3 * 6, charges.Count);
        Assert.Equal(charges.Count, written.Sum());
        Assert.Equal(charges.Count, charges.Select(c => (c.DeploymentId, c.HourStart)).Distinct().Count());
        foreach (var owner in new[] { alice.Owner, bob.Owner })
        {
            var balance = await h.BalanceAsync(owner);
            Assert.Equal(await h.LedgerSumAsync(owner), balance);
            Assert.Equal(-charges.Where(c => c.OwnerId == owner).Sum(c => c.AmountMinor), balance);
        }

        // Running them again (a retried job, another server) changes nothing.
        Assert.Equal(0, await h.RateAsync());
        Assert.Equal(charges.Count, (await h.ChargesAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateHourAsync_RaterDiedBeforeMarkingTheHour_NextRaterFinishesWithoutChargingTwice(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        await h.StartReplicaAsync(web, T0);
        h.Clock.SetUtcNow(T0.AddHours(1).AddMinutes(10));
        Assert.Equal(1, await h.RateAsync());

        // The hour's charge committed but the marker did not (killed in between): the next run redoes the hour.
        await using (var scope = h.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
            await db.Set<RatedHour>().ExecuteDeleteAsync();
        }

        await h.RestartAsync();
        Assert.Equal(0, await h.RateAsync());
        var charge = Assert.Single(await h.ChargesAsync());
        Assert.Equal(35_000, charge.AmountMinor);
        Assert.Equal(-35_000, await h.BalanceAsync(alice.Owner));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task BeginAsync_BillingTurnedOnAfterDeploymentsRan_ChargesNothingBeforeTheHourItWasTurnedOnIn(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        await h.StartReplicaAsync(web, T0);

        // Ten hours of recorded runs, then billing is turned on: the rating job's first run begins billing.
        h.Clock.SetUtcNow(T0.AddHours(10).AddMinutes(20));
        await using (var scope = h.Scope())
        {
            var rater = scope.ServiceProvider.GetRequiredService<UsageRater>();
            await rater.BeginAsync(CancellationToken.None);
            await rater.BeginAsync(CancellationToken.None);
            Assert.Equal(0, await rater.RateDueAsync(CancellationToken.None));
        }

        h.Clock.SetUtcNow(T0.AddHours(11).AddMinutes(5));
        Assert.Equal(1, await h.RateAsync());
        await using var check = h.Scope();
        var charges = await check.ServiceProvider.GetRequiredService<PoddleDbContext>().Set<UsageCharge>().AsNoTracking().ToListAsync();
        Assert.Equal(T0.AddHours(10), Assert.Single(charges).HourStart);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateDueAsync_HourNotOverYetOrWithinDelay_IsNotRated(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        await h.StartReplicaAsync(web, T0);

        h.Clock.SetUtcNow(T0.AddHours(1).AddMinutes(4));
        Assert.Equal(0, await h.RateAsync());
        h.Clock.SetUtcNow(T0.AddHours(1).AddMinutes(5));
        Assert.Equal(1, await h.RateAsync());
    }

    /// <summary>
    /// A month on a fake clock. Prices (the design's example, per hour): 100 UZS per 250 m CPU, 50 UZS per 100 MB, 200 UZS
    /// per replica, so "web" (250 m, 100 MB) costs 350 UZS = 35 000 tiyin per replica-hour and "api" (500 m, 256 MB: 2 CPU
    /// units, 3 memory units) 200 + 150 + 200 = 550 UZS = 55 000 tiyin. Hand computation, in tiyin:
    /// web: replica 1 from day 0 00:10 to day 30 00:00, down day 15 06:59:50–07:00:20 (crash, back-off);
    ///      replica 2 from day 2 10:30 to day 5 10:30 (scaled up, then down).
    ///   day 0 00:00: 3000 s → 35000·3000/3600 = 29166.67 → 29167
    ///   day 15 06:00: 3590 s → 34902.78 → 34903; day 15 07:00: 3580 s → 34805.56 → 34806
    ///   day 2 10:00 and day 5 10:00: 3600 + 1800 replica-seconds → 52500 each
    ///   71 hours with two replicas → 71 · 70000 = 4 970 000; the other 719 − 2 − 2 − 71 = 644 hours → 644 · 35000 = 22 540 000
    ///   web = 29167 + 34903 + 34806 + 105000 + 4970000 + 22540000 = 27 713 876
    /// api: one replica from day 1 00:00:30, crash-looping on day 3 (down 12:00:00–12:00:10 and 12:05:10–12:05:30), deleted
    ///      day 20 08:20:15 (mid-hour).
    ///   day 1 00:00: 3570 s → 54541.67 → 54542; day 3 12:00: 3570 s → 54542; day 20 08:00: 1215 s → 18562.5 → 18563
    ///   full hours: day 1 01:00 … day 20 07:00 = 463, less day 3 12:00 = 462 → 462 · 55000 = 25 410 000
    ///   api = 25 410 000 + 54542 + 54542 + 18563 = 25 537 647
    /// total = 53 251 523 tiyin (532 515.23 UZS). Along the way the server restarts, a rater dies before marking an hour,
    /// and the rating job does not run for 30 hours (it catches up).
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateDueAsync_MonthOfUsage_EqualsHandComputedTotal(DatabaseProvider provider)
    {
        await using var h = await BillingHarness.CreateAsync(provider, T0);
        var alice = await h.SeedOwnerAsync("alice");
        var web = await h.CreateDeploymentAsync(alice, "web", 250, 100);
        var api = await h.CreateDeploymentAsync(alice, "api", 500, 256);
        static DateTimeOffset At(int day, int hour, int minute, int second = 0) => T0.AddDays(day).AddHours(hour).AddMinutes(minute).AddSeconds(second);

        Guid web1 = default, web2 = default, api1 = default;
        var timeline = new List<(DateTimeOffset At, Func<Task> Act)>
        {
            (At(0, 0, 10), async () => web1 = await h.StartReplicaAsync(web, At(0, 0, 10))),
            (At(1, 0, 0, 30), async () => api1 = await h.StartReplicaAsync(api, At(1, 0, 0, 30))),
            (At(2, 10, 30), async () => web2 = await h.StartReplicaAsync(web, At(2, 10, 30))),
            (At(3, 12, 0), () => h.CrashAsync(api1, At(3, 12, 0))),
            (At(3, 12, 0, 10), () => h.RestartReplicaAsync(api1, At(3, 12, 0, 10))),
            (At(3, 12, 5, 10), () => h.CrashAsync(api1, At(3, 12, 5, 10))),
            (At(3, 12, 5, 30), () => h.RestartReplicaAsync(api1, At(3, 12, 5, 30))),
            (At(5, 10, 30), () => h.StopReplicaAsync(web2, At(5, 10, 30))),
            (At(15, 6, 59, 50), () => h.CrashAsync(web1, At(15, 6, 59, 50))),
            (At(15, 7, 0, 20), () => h.RestartReplicaAsync(web1, At(15, 7, 0, 20))),
            (At(20, 8, 20, 15), () => h.StopReplicaAsync(api1, At(20, 8, 20, 15))),
            (At(30, 0, 0), () => h.StopReplicaAsync(web1, At(30, 0, 0))),
            (At(10, 3, 30), () => h.RestartAsync()),
        };
        for (var hour = 0; hour <= (30 * 24) + 1; hour++)
        {
            var tick = T0.AddHours(hour).AddMinutes(7);
            if (tick >= At(16, 0, 0) && tick < At(17, 6, 0))
            {
                continue; // the rating job did not run for 30 hours
            }

            timeline.Add((tick, async () =>
            {
                await h.RateAsync();
                if (tick.Day == 12 && tick.Hour == 9)
                {
                    // This run's last hour lost its marker (the process died after the charges): the next run redoes it.
                    var lost = At(11, 8, 0);
                    await using var scope = h.Scope();
                    var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
                    await db.Set<RatedHour>().Where(r => r.HourStart == lost).ExecuteDeleteAsync();
                }
            }));
        }

        foreach (var (at, act) in timeline.OrderBy(t => t.At))
        {
            h.Clock.SetUtcNow(at);
            await act();
        }

        var charges = await h.ChargesAsync();
        Assert.Equal(27_713_876, charges.Where(c => c.DeploymentId == web).Sum(c => c.AmountMinor));
        Assert.Equal(25_537_647, charges.Where(c => c.DeploymentId == api).Sum(c => c.AmountMinor));
        Assert.Equal(720, charges.Count(c => c.DeploymentId == web));
        Assert.Equal(465, charges.Count(c => c.DeploymentId == api));
        Assert.Equal(-53_251_523, await h.BalanceAsync(alice.Owner));
        Assert.Equal(-53_251_523, await h.LedgerSumAsync(alice.Owner));
    }
}
