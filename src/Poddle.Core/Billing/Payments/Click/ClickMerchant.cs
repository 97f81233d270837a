using System.Globalization;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Billing.Payments.Click;

/// <summary>
/// Click's SHOP API callbacks (form-encoded; Click calls, Poddle answers): Prepare (action 0) binds Click's transaction
/// to the payment named by <c>merchant_trans_id</c>; Complete (action 1) performs it (credits the balance once) or, when
/// Click reports a failure (<c>error</c> &lt; 0), cancels it. Every request is checked against <c>sign_string</c>.
/// Amounts on the wire are in sums with up to two decimals; the payment's amount is in tiyin.
/// </summary>
public sealed class ClickMerchant(PaymentSettlement settlement, IOptions<ClickOptions> options)
{
    public const int MaxFieldLength = 128;

    public bool IsConfigured => options.Value.IsConfigured;

    public async Task<ClickReply> PrepareAsync(IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (request, error) = Read(form, ClickActions.Prepare);
        if (error is { } failed)
        {
            return Reply(request, failed);
        }

        var payment = await settlement.FindAsync(PaymentProviders.Click, request.PaymentId, cancellationToken);
        var refused = payment switch
        {
            null => ClickErrorCodes.UserNotFound,
            { State: PaymentStates.Performed or PaymentStates.Refunded } => ClickErrorCodes.AlreadyPaid,
            { State: PaymentStates.Cancelled } => ClickErrorCodes.TransactionCancelled,
            _ when payment.AmountMinor != request.AmountMinor => ClickErrorCodes.IncorrectAmount,
            { State: PaymentStates.Created } when payment.ProviderTransactionId != request.ClickTransId => ClickErrorCodes.BadRequest,
            _ => ClickErrorCodes.Success,
        };
        if (refused != ClickErrorCodes.Success)
        {
            return Reply(request, refused);
        }

        // A repeated Prepare of the same Click transaction answers the same prepare id.
        if (payment!.State == PaymentStates.Pending && !await settlement.BindAsync(payment, request.ClickTransId, null, cancellationToken))
        {
            var now = await settlement.FindAsync(PaymentProviders.Click, payment.Id, cancellationToken);
            if (now?.ProviderTransactionId != request.ClickTransId || now.State != PaymentStates.Created)
            {
                return Reply(request, ClickErrorCodes.BadRequest);
            }
        }

        return Reply(request, ClickErrorCodes.Success) with { MerchantPrepareId = payment.Id };
    }

    public async Task<ClickReply> CompleteAsync(IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(form);
        var (request, error) = Read(form, ClickActions.Complete);
        if (error is { } failed)
        {
            return Reply(request, failed);
        }

        var payment = await settlement.FindAsync(PaymentProviders.Click, request.PaymentId, cancellationToken);
        var refused = payment switch
        {
            null => ClickErrorCodes.UserNotFound,
            _ when payment.Id != request.PrepareId || payment.ProviderTransactionId != request.ClickTransId || payment.State == PaymentStates.Pending => ClickErrorCodes.TransactionNotFound,
            { State: PaymentStates.Performed or PaymentStates.Refunded } => ClickErrorCodes.AlreadyPaid,
            { State: PaymentStates.Cancelled } => ClickErrorCodes.TransactionCancelled,
            _ when payment.AmountMinor != request.AmountMinor => ClickErrorCodes.IncorrectAmount,
            _ => ClickErrorCodes.Success,
        };
        if (refused != ClickErrorCodes.Success)
        {
            return Reply(request, refused);
        }

        if (request.ClickError < 0)
        {
            // Click could not take the money (its own error, such as insufficient funds): the order is cancelled.
            await settlement.CancelAsync(payment!, null, cancellationToken);
            return Reply(request, ClickErrorCodes.TransactionCancelled);
        }

        var performed = await settlement.PerformAsync(payment!, cancellationToken);
        return performed.State == PaymentStates.Performed
            ? Reply(request, ClickErrorCodes.Success) with { MerchantConfirmId = performed.Id }
            : Reply(request, ClickErrorCodes.TransactionCancelled);
    }

    /// <summary>Reads and checks the fields every callback has (-8 when one is missing or malformed, -1 on a bad sign, -3 on the wrong action).</summary>
    private (ClickRequest Request, int? Error) Read(IReadOnlyDictionary<string, string> form, int action)
    {
        string? Field(string name) => form.TryGetValue(name, out var value) && value.Length is > 0 and <= MaxFieldLength ? value : null;

        var clickTransId = Field("click_trans_id");
        var serviceId = Field("service_id");
        var merchantTransId = Field("merchant_trans_id");
        var prepareId = action == ClickActions.Complete ? Field("merchant_prepare_id") : null;
        var amount = Field("amount");
        var actionText = Field("action");
        var signTime = Field("sign_time");
        var sign = Field("sign_string");
        var request = new ClickRequest(
            long.TryParse(clickTransId, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? clickTransId! : string.Empty,
            merchantTransId,
            long.TryParse(merchantTransId, NumberStyles.None, CultureInfo.InvariantCulture, out var paymentId) ? paymentId : -1,
            long.TryParse(prepareId, NumberStyles.None, CultureInfo.InvariantCulture, out var prepare) ? prepare : -1,
            ToMinor(amount),
            int.TryParse(Field("error"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var clickError) ? clickError : 0);
        if (request.ClickTransId.Length == 0 || serviceId is null || merchantTransId is null || amount is null || actionText is null || signTime is null || sign is null
            || (action == ClickActions.Complete && prepareId is null))
        {
            return (request, ClickErrorCodes.BadRequest);
        }

        var settings = options.Value;
        var expected = ClickSignature.Compute(clickTransId!, serviceId, settings.SecretKey!, merchantTransId, prepareId, amount, actionText, signTime);
        if (!ClickSignature.Matches(expected, sign))
        {
            return (request, ClickErrorCodes.SignCheckFailed);
        }

        if (actionText != action.ToString(CultureInfo.InvariantCulture))
        {
            return (request, ClickErrorCodes.ActionNotFound);
        }

        if (serviceId != settings.ServiceId || request.AmountMinor < 0)
        {
            return (request, ClickErrorCodes.BadRequest);
        }

        return (request, null);
    }

    /// <summary>Sums with at most two decimals ("1000", "1000.5", "1000.00") in tiyin; -1 when it is not such a number.</summary>
    private static long ToMinor(string? amount)
    {
        if (!decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var sums) || sums > 1_000_000_000_000m)
        {
            return -1;
        }

        var minor = sums * Money.MinorPerMajor;
        return minor == decimal.Truncate(minor) ? (long)minor : -1;
    }

    private static ClickReply Reply(ClickRequest request, int error) =>
        new(long.TryParse(request.ClickTransId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null, request.MerchantTransId, null, null, error);

    private sealed record ClickRequest(string ClickTransId, string? MerchantTransId, long PaymentId, long PrepareId, long AmountMinor, int ClickError);
}
