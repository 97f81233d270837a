namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>Payme Merchant API's error codes (JSON-RPC <c>error.code</c>), as Payme publishes them.</summary>
public static class PaymeErrorCodes
{
    /// <summary>The body is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>Not a JSON-RPC request Payme would send: no method, or a parameter missing or of the wrong type.</summary>
    public const int InvalidRequest = -32600;

    public const int MethodNotFound = -32601;

    /// <summary>Payme's "system error": the merchant failed for its own reasons.</summary>
    public const int SystemError = -32400;

    /// <summary>Wrong or missing Basic auth (<c>Paycom:&lt;key&gt;</c>).</summary>
    public const int InsufficientPrivilege = -32504;

    /// <summary>The amount is not the order's.</summary>
    public const int InvalidAmount = -31001;

    public const int TransactionNotFound = -31003;

    /// <summary>Cannot cancel: the payment was performed and its money already spent.</summary>
    public const int CannotCancel = -31007;

    /// <summary>Cannot perform (or create): the transaction is cancelled, performed elsewhere, or timed out.</summary>
    public const int CannotPerform = -31008;

    /// <summary>Account errors are -31050 … -31099 (<c>data</c> names the account field): no such order.</summary>
    public const int OrderNotFound = -31050;

    /// <summary>The order has another transaction in progress.</summary>
    public const int OrderBusy = -31051;

    /// <summary>The order was paid or cancelled already.</summary>
    public const int OrderClosed = -31052;
}
