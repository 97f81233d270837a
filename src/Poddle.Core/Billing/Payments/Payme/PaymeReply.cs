using System.Text.Json.Nodes;

namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>A Merchant API answer: a <see cref="Result"/> or an <see cref="Error"/> (Payme always gets HTTP 200).</summary>
public sealed record PaymeReply(JsonObject? Result, PaymeError? Error)
{
    public static PaymeReply Ok(JsonObject result) => new(result, null);

    public static PaymeReply Fail(int code, string? data = null) => new(null, new PaymeError(code, data));
}
