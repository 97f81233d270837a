namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>The Merchant API's methods (JSON-RPC <c>method</c>).</summary>
public static class PaymeMethods
{
    public const string CheckPerformTransaction = "CheckPerformTransaction";

    public const string CreateTransaction = "CreateTransaction";

    public const string PerformTransaction = "PerformTransaction";

    public const string CancelTransaction = "CancelTransaction";

    public const string CheckTransaction = "CheckTransaction";

    public const string GetStatement = "GetStatement";
}
