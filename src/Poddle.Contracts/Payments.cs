namespace Poddle.Contracts;

/// <summary>Starts a payment: <c>provider</c> is one of <c>GET /api/billing/providers</c>, the amount in minor units (tiyin).</summary>
public sealed record FundRequest(string? Provider, long AmountMinor);

/// <summary>A started payment: send the user to <c>payUrl</c> (the provider's checkout); the balance grows when the provider confirms.</summary>
public sealed record FundResponse(long PaymentId, string Provider, long AmountMinor, string Currency, string Amount, string State, Uri PayUrl);

/// <summary>One of the caller's payments. State: pending, created, performed, cancelled or refunded.</summary>
public sealed record PaymentResponse(
    long Id,
    string Provider,
    long AmountMinor,
    string Currency,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PerformedAt,
    DateTimeOffset? CancelledAt);

/// <summary>The payment providers this server offers (only configured ones) and the limits of one top-up.</summary>
public sealed record PaymentProvidersResponse(IReadOnlyList<string> Providers, string Currency, long MinAmountMinor, long MaxAmountMinor);
