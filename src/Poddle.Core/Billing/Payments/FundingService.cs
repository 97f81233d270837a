using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Billing.Payments.Click;
using Poddle.Core.Billing.Payments.Payme;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing.Payments;

/// <summary>
/// Starts payments (<c>POST /api/billing/fund</c>): records a pending <see cref="Payment"/> for the caller and builds
/// the provider's pay link. Only configured providers are offered.
/// </summary>
public sealed class FundingService(PoddleDbContext db, IOptions<PaymeOptions> payme, IOptions<ClickOptions> click, IOptions<BillingOptions> billing, TimeProvider clock)
{
    /// <summary>The smallest top-up: 1 000 UZS.</summary>
    public const long MinAmountMinor = 1_000 * Money.MinorPerMajor;

    /// <summary>The largest top-up: 100 000 000 UZS.</summary>
    public const long MaxAmountMinor = 100_000_000L * Money.MinorPerMajor;

    /// <summary>How many payments one user may have waiting (pending or created) at once.</summary>
    public const int MaxOpenPayments = 20;

    /// <summary>The providers this installation offers, in a stable order.</summary>
    public IReadOnlyList<string> OfferedProviders() =>
        [.. PaymentProviders.All.Where(p => p switch
        {
            PaymentProviders.Payme => payme.Value.IsConfigured,
            PaymentProviders.Click => click.Value.IsConfigured,
            _ => false,
        })];

    public async Task<Result<FundingStart>> StartAsync(Guid ownerId, string? provider, long amountMinor, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var offered = OfferedProviders();
        if (provider is null || !offered.Contains(provider))
        {
            fields["Provider"] = [offered.Count == 0
                ? "no payment provider is configured on this server."
                : $"provider must be one of: {string.Join(", ", offered)}."];
        }

        if (amountMinor is < MinAmountMinor or > MaxAmountMinor)
        {
            fields["AmountMinor"] = [$"amountMinor must be between {MinAmountMinor} and {MaxAmountMinor} ({billing.Value.Currency} minor units)."];
        }

        if (fields.Count > 0)
        {
            return Error.Validation(fields);
        }

        var open = await db.Set<Payment>().CountAsync(p => p.OwnerId == ownerId && (p.State == PaymentStates.Pending || p.State == PaymentStates.Created), cancellationToken);
        if (open >= MaxOpenPayments)
        {
            return new Error(ErrorKind.RateLimited, PaymentErrorCodes.TooManyOpenPayments, $"You have {open} payments waiting; pay or abandon one of them (they expire with the provider) before starting another.", RetryAfter: TimeSpan.FromHours(1));
        }

        var payment = new Payment
        {
            OwnerId = ownerId,
            Provider = provider!,
            AmountMinor = amountMinor,
            Currency = billing.Value.Currency,
            State = PaymentStates.Pending,
            CreatedAt = clock.GetStoredUtcNow(),
        };
        db.Add(payment);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(payment).State = EntityState.Detached;
        return new FundingStart(payment, PayUrl(payment));
    }

    /// <summary>The caller's own payment; another user's is not found.</summary>
    public async Task<Result<Payment>> GetAsync(Guid ownerId, long id, CancellationToken cancellationToken) =>
        await db.Set<Payment>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.OwnerId == ownerId, cancellationToken) is { } payment
            ? payment
            : Error.NotFound("Payment");

    private Uri PayUrl(Payment payment)
    {
        var number = payment.Id.ToString(CultureInfo.InvariantCulture);
        var amount = payment.AmountMinor.ToString(CultureInfo.InvariantCulture);
        if (payment.Provider == PaymentProviders.Payme)
        {
            // Payme's checkout takes its parameters as base64 of "m=<merchant>;ac.<field>=<order>;a=<tiyin>".
            var settings = payme.Value;
            var parameters = Convert.ToBase64String(Encoding.UTF8.GetBytes($"m={settings.MerchantId};ac.{settings.AccountField}={number};a={amount}"));
            return new Uri($"{settings.CheckoutUrl.AbsoluteUri.TrimEnd('/')}/{parameters}");
        }

        var c = click.Value;
        var sums = (payment.AmountMinor / Money.MinorPerMajor).ToString(CultureInfo.InvariantCulture) + "." + (payment.AmountMinor % Money.MinorPerMajor).ToString("00", CultureInfo.InvariantCulture);
        var query = $"service_id={Uri.EscapeDataString(c.ServiceId!)}&merchant_id={Uri.EscapeDataString(c.MerchantId!)}&amount={sums}&transaction_param={number}";
        if (!string.IsNullOrEmpty(c.MerchantUserId))
        {
            query += $"&merchant_user_id={Uri.EscapeDataString(c.MerchantUserId)}";
        }

        return new Uri($"{c.PayUrl.AbsoluteUri}?{query}");
    }
}
