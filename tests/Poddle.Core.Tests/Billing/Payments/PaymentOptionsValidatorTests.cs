using Poddle.Core.Billing.Payments.Click;
using Poddle.Core.Billing.Payments.Payme;

namespace Poddle.Core.Tests.Billing.Payments;

public sealed class PaymentOptionsValidatorTests
{
    [Fact]
    public void Validate_NothingConfigured_IsValid_AndNoProviderIsConfigured()
    {
        Assert.True(new PaymeOptionsValidator().Validate(null, new PaymeOptions()).Succeeded);
        Assert.True(new ClickOptionsValidator().Validate(null, new ClickOptions()).Succeeded);
        Assert.False(new PaymeOptions().IsConfigured);
        Assert.False(new ClickOptions().IsConfigured);
    }

    [Fact]
    public void Validate_PaymeHalfConfiguredOrMalformed_NamesEachKey_NeverTheSecret()
    {
        var result = new PaymeOptionsValidator().Validate(null, new PaymeOptions { Key = "s3cret-key\n", AccountField = "Order-Id", CheckoutUrl = new Uri("/relative", UriKind.Relative) });

        Assert.True(result.Failed);
        var message = string.Join("\n", result.Failures!);
        Assert.Contains("Billing:Payme:MerchantId and Billing:Payme:Key must be set together", message, StringComparison.Ordinal);
        Assert.Contains("Billing:Payme:Key must be", message, StringComparison.Ordinal);
        Assert.Contains("Billing:Payme:AccountField", message, StringComparison.Ordinal);
        Assert.Contains("Billing:Payme:CheckoutUrl", message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClickPartlyConfiguredOrNotNumbers_NamesEachKey_NeverTheSecret()
    {
        var result = new ClickOptionsValidator().Validate(null, new ClickOptions { ServiceId = "12a", SecretKey = "click-s3cret" });

        Assert.True(result.Failed);
        var message = string.Join("\n", result.Failures!);
        Assert.Contains("must be set together", message, StringComparison.Ordinal);
        Assert.Contains("Billing:Click:ServiceId must be Click's number", message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", message, StringComparison.Ordinal);
        Assert.True(new ClickOptionsValidator().Validate(null, new ClickOptions { ServiceId = "1", MerchantId = "2", SecretKey = "x" }).Succeeded);
    }
}
