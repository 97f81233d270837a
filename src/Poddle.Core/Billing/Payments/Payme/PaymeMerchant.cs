using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>
/// Payme's Merchant API (JSON-RPC over HTTPS; Payme calls, Poddle answers): one payment is one Payme order, paid by at
/// most one Payme transaction. Times on the wire are Unix milliseconds. An unperformed transaction times out
/// <see cref="Timeout"/> after it was created: it is then cancelled with reason 4 and -31008 answered.
/// </summary>
public sealed class PaymeMerchant(PoddleDbContext db, PaymentSettlement settlement, IOptions<PaymeOptions> options, TimeProvider clock)
{
    /// <summary>Payme's timeout for a created transaction that is not performed (43 200 000 ms).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromHours(12);

    /// <summary>The most transactions one <c>GetStatement</c> returns.</summary>
    public const int MaxStatement = 10_000;

    public const int MaxTransactionIdLength = 64;

    /// <summary>
    /// True when <paramref name="authorization"/> is <c>Basic base64("Paycom:" + key)</c> with the configured key,
    /// compared in constant time. False whenever Payme is not configured.
    /// </summary>
    public bool IsAuthorized(string? authorization)
    {
        var key = options.Value.Key;
        if (!options.Value.IsConfigured || authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(authorization["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes("Paycom:" + key));
    }

    /// <summary>Answers one call; <paramref name="parameters"/> is the request's <c>params</c>.</summary>
    public async Task<PaymeReply> HandleAsync(string method, JsonElement parameters, CancellationToken cancellationToken)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "params");
        }

        return method switch
        {
            PaymeMethods.CheckPerformTransaction => await CheckPerformAsync(parameters, cancellationToken),
            PaymeMethods.CreateTransaction => await CreateAsync(parameters, cancellationToken),
            PaymeMethods.PerformTransaction => await PerformAsync(parameters, cancellationToken),
            PaymeMethods.CancelTransaction => await CancelAsync(parameters, cancellationToken),
            PaymeMethods.CheckTransaction => await CheckAsync(parameters, cancellationToken),
            PaymeMethods.GetStatement => await StatementAsync(parameters, cancellationToken),
            _ => PaymeReply.Fail(PaymeErrorCodes.MethodNotFound, method),
        };
    }

    private async Task<PaymeReply> CheckPerformAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (Long(parameters, "amount") is not { } amount)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "amount");
        }

        var (payment, error) = await FindOrderAsync(parameters, cancellationToken);
        return (error ?? CheckOrder(payment!, amount)) ?? PaymeReply.Ok(new JsonObject { ["allow"] = true });
    }

    private async Task<PaymeReply> CreateAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (TransactionId(parameters) is not { } id)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "id");
        }

        if (Long(parameters, "time") is not { } time)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "time");
        }

        if (Long(parameters, "amount") is not { } amount)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "amount");
        }

        // A repeated CreateTransaction answers the transaction as it is, unless it can no longer be performed.
        if (await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) is { } existing)
        {
            return await CreatedOrRefusedAsync(existing, cancellationToken);
        }

        var (payment, error) = await FindOrderAsync(parameters, cancellationToken);
        if ((error ?? CheckOrder(payment!, amount)) is { } refused)
        {
            return refused;
        }

        if (clock.GetUtcNow().ToUnixTimeMilliseconds() - time > (long)Timeout.TotalMilliseconds)
        {
            return PaymeReply.Fail(PaymeErrorCodes.CannotPerform);
        }

        if (await settlement.BindAsync(payment!, id, time, cancellationToken))
        {
            return CreateResult(await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) ?? throw new InvalidOperationException("Bound payment vanished."));
        }

        // Lost a race: the same call twice at once (answer as a replay), or another transaction took the order.
        return await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) is { } raced
            ? await CreatedOrRefusedAsync(raced, cancellationToken)
            : CheckOrder((await settlement.FindAsync(PaymentProviders.Payme, payment!.Id, cancellationToken))!, amount) ?? PaymeReply.Fail(PaymeErrorCodes.OrderBusy, options.Value.AccountField);
    }

    private async Task<PaymeReply> CreatedOrRefusedAsync(Payment payment, CancellationToken cancellationToken)
    {
        if (payment.State != PaymentStates.Created)
        {
            return PaymeReply.Fail(PaymeErrorCodes.CannotPerform);
        }

        if (await CancelIfTimedOutAsync(payment, cancellationToken))
        {
            return PaymeReply.Fail(PaymeErrorCodes.CannotPerform);
        }

        return CreateResult(payment);
    }

    private async Task<PaymeReply> PerformAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (TransactionId(parameters) is not { } id)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "id");
        }

        if (await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) is not { } payment)
        {
            return PaymeReply.Fail(PaymeErrorCodes.TransactionNotFound);
        }

        if (payment.State == PaymentStates.Created)
        {
            if (await CancelIfTimedOutAsync(payment, cancellationToken))
            {
                return PaymeReply.Fail(PaymeErrorCodes.CannotPerform);
            }

            payment = await settlement.PerformAsync(payment, cancellationToken);
        }

        return payment.State == PaymentStates.Performed
            ? PaymeReply.Ok(new JsonObject { ["transaction"] = Number(payment), ["perform_time"] = Ms(payment.PerformedAt), ["state"] = PaymeTransactionStates.Performed })
            : PaymeReply.Fail(PaymeErrorCodes.CannotPerform);
    }

    private async Task<PaymeReply> CancelAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (TransactionId(parameters) is not { } id)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "id");
        }

        if (Long(parameters, "reason") is not { } reason || !PaymeCancelReasons.IsKnown((int)Math.Clamp(reason, int.MinValue, int.MaxValue)))
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "reason");
        }

        if (await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) is not { } payment)
        {
            return PaymeReply.Fail(PaymeErrorCodes.TransactionNotFound);
        }

        var (outcome, now) = await settlement.CancelAsync(payment, (int)reason, cancellationToken);
        return outcome == CancelOutcome.RefundRefused
            ? PaymeReply.Fail(PaymeErrorCodes.CannotCancel)
            : PaymeReply.Ok(new JsonObject { ["transaction"] = Number(now), ["cancel_time"] = Ms(now.CancelledAt), ["state"] = PaymeTransactionStates.Of(now.State) });
    }

    private async Task<PaymeReply> CheckAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (TransactionId(parameters) is not { } id)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "id");
        }

        return await settlement.FindByTransactionAsync(PaymentProviders.Payme, id, cancellationToken) is { } payment
            ? PaymeReply.Ok(new JsonObject
            {
                ["create_time"] = Ms(payment.TransactionCreatedAt),
                ["perform_time"] = Ms(payment.PerformedAt),
                ["cancel_time"] = Ms(payment.CancelledAt),
                ["transaction"] = Number(payment),
                ["state"] = PaymeTransactionStates.Of(payment.State),
                ["reason"] = payment.CancelReason,
            })
            : PaymeReply.Fail(PaymeErrorCodes.TransactionNotFound);
    }

    /// <summary>The Payme transactions whose Payme time (<c>time</c>) is within [from, to], oldest first.</summary>
    private async Task<PaymeReply> StatementAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        if (Long(parameters, "from") is not { } from || Long(parameters, "to") is not { } to)
        {
            return PaymeReply.Fail(PaymeErrorCodes.InvalidRequest, "from");
        }

        var payments = await db.Set<Payment>().AsNoTracking()
            .Where(p => p.Provider == PaymentProviders.Payme && p.ProviderTransactionId != null && p.ProviderTime >= from && p.ProviderTime <= to)
            .OrderBy(p => p.ProviderTime).ThenBy(p => p.Id).Take(MaxStatement).ToListAsync(cancellationToken);
        var transactions = new JsonArray();
        foreach (var p in payments)
        {
            transactions.Add(new JsonObject
            {
                ["id"] = p.ProviderTransactionId,
                ["time"] = p.ProviderTime,
                ["amount"] = p.AmountMinor,
                ["account"] = new JsonObject { [options.Value.AccountField] = Number(p) },
                ["create_time"] = Ms(p.TransactionCreatedAt),
                ["perform_time"] = Ms(p.PerformedAt),
                ["cancel_time"] = Ms(p.CancelledAt),
                ["transaction"] = Number(p),
                ["state"] = PaymeTransactionStates.Of(p.State),
                ["reason"] = p.CancelReason,
                ["receivers"] = null,
            });
        }

        return PaymeReply.Ok(new JsonObject { ["transactions"] = transactions });
    }

    /// <summary>Cancels a created transaction older than <see cref="Timeout"/> (reason 4); true when it did.</summary>
    private async Task<bool> CancelIfTimedOutAsync(Payment payment, CancellationToken cancellationToken)
    {
        // In milliseconds, as Payme counts (create_time is what Payme was told).
        if (payment.TransactionCreatedAt is not { } created
            || clock.GetUtcNow().ToUnixTimeMilliseconds() - created.ToUnixTimeMilliseconds() <= (long)Timeout.TotalMilliseconds)
        {
            return false;
        }

        await settlement.CancelAsync(payment, PaymeCancelReasons.Timeout, cancellationToken);
        return true;
    }

    /// <summary>The order named by <c>params.account.&lt;field&gt;</c>, or the account error (-31050 with the field).</summary>
    private async Task<(Payment? Payment, PaymeReply? Error)> FindOrderAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        var field = options.Value.AccountField;
        var notFound = PaymeReply.Fail(PaymeErrorCodes.OrderNotFound, field);
        if (!parameters.TryGetProperty("account", out var account) || account.ValueKind != JsonValueKind.Object || !account.TryGetProperty(field, out var value))
        {
            return (null, notFound);
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return (null, notFound);
        }

        var payment = await settlement.FindAsync(PaymentProviders.Payme, id, cancellationToken);
        return payment is null ? (null, notFound) : (payment, null);
    }

    /// <summary>Can the order be paid with <paramref name="amount"/> now? Null when it can.</summary>
    private PaymeReply? CheckOrder(Payment payment, long amount) => payment.State switch
    {
        PaymentStates.Created => PaymeReply.Fail(PaymeErrorCodes.OrderBusy, options.Value.AccountField),
        PaymentStates.Performed or PaymentStates.Cancelled or PaymentStates.Refunded => PaymeReply.Fail(PaymeErrorCodes.OrderClosed, options.Value.AccountField),
        _ when amount != payment.AmountMinor => PaymeReply.Fail(PaymeErrorCodes.InvalidAmount),
        _ => null,
    };

    private static PaymeReply CreateResult(Payment payment) => PaymeReply.Ok(new JsonObject
    {
        ["create_time"] = Ms(payment.TransactionCreatedAt),
        ["transaction"] = Number(payment),
        ["state"] = PaymeTransactionStates.Created,
    });

    private static string Number(Payment payment) => payment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Unix milliseconds, 0 for "not yet" (Payme's convention).</summary>
    private static long Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds() ?? 0;

    private static string? TransactionId(JsonElement parameters) =>
        parameters.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= MaxTransactionIdLength } text ? text : null;

    private static long? Long(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
