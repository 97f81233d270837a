using Poddle.Core.Billing;

namespace Poddle.Core.Tests.Billing;

public sealed class BillingOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new BillingOptionsValidator().Validate(null, new BillingOptions()).Succeeded);
    }

    [Fact]
    public void Validate_EveryBadValue_NamesItsKey()
    {
        var duplicate = PriceList.Default;
        var broken = PriceList.Default;
        broken.Version = "";
        broken.EffectiveFrom = DateTimeOffset.UnixEpoch.AddDays(1);
        broken.Tiers.Remove("pro");
        broken.Tiers["free"].ReplicaBase = -1;
        var options = new BillingOptions
        {
            Currency = "uzs",
            GuardHours = -1,
            RatingDelay = TimeSpan.FromHours(2),
            MonitorInterval = TimeSpan.FromMilliseconds(500),
            RatingSchedule = "every hour",
            PriceLists = [duplicate, broken, PriceList.Default],
        };

        var failures = new BillingOptionsValidator().Validate(null, options).Failures!.ToList();

        foreach (var key in new[]
        {
            "Billing:Currency", "Billing:GuardHours", "Billing:RatingDelay", "Billing:MonitorInterval", "Billing:RatingSchedule",
            "Billing:PriceLists:1:Version", "Billing:PriceLists:1:Tiers:pro", "Billing:PriceLists:1:Tiers:free", "Billing:PriceLists:2:",
        })
        {
            Assert.Contains(failures, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void HourlyPerReplica_PartialUnits_RoundUpToWholeUnits()
    {
        var price = PriceList.Default.Tiers["free"];

        Assert.Equal(35_000, price.HourlyPerReplica(250, 100));
        Assert.Equal(55_000, price.HourlyPerReplica(500, 256));
        Assert.Equal(20_000 + 10_000 + 5_000, price.HourlyPerReplica(1, 1));
        Assert.Equal(20_000, price.HourlyPerReplica(0, 0));
    }
}
