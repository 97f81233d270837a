using Poddle.Core.Alerts;

namespace Poddle.Core.Tests.Alerts;

public sealed class AlertsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new AlertsOptionsValidator().Validate(null, new AlertsOptions()).Succeeded);

    [Fact]
    public void Validate_EveryBadValue_NamesEachKey()
    {
        var options = new AlertsOptions
        {
            Webhooks =
            {
                new AlertWebhookOptions { Url = "https://hooks.slack.com/services/x", Format = "slack", MinLevel = "critical" },
                new AlertWebhookOptions { Url = "not a url", Format = "teams", MinLevel = "loud" },
            },
            Emails = { "ops@example.com", "nobody" },
            EmailMinLevel = "sometimes",
            ThrottleWindow = TimeSpan.FromDays(2),
            DeliveryAttempts = 0,
        };

        var failures = new AlertsOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
            ["Alerts:Webhooks:1:Url", "Alerts:Webhooks:1:Format", "Alerts:Webhooks:1:MinLevel", "Alerts:Emails:1", "Alerts:EmailMinLevel", "Alerts:ThrottleWindow", "Alerts:DeliveryAttempts"],
            failures.Select(f => f.Split(' ')[0]));
    }
}
