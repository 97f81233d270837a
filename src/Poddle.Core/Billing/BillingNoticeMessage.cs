namespace Poddle.Core.Billing;

/// <summary>The JSON body POSTed to <see cref="BillingOptions.WebhookUrl"/> for each notice (camelCase; docs/billing.md).</summary>
public sealed record BillingNoticeMessage(
    Guid Id,
    string Kind,
    Guid OwnerId,
    string Email,
    long Period,
    long BalanceMinor,
    string Currency,
    string Message,
    DateTimeOffset CreatedAt);
