namespace Poddle.Core.Billing.Payments;

/// <summary>A started payment and where the client sends its user to pay it.</summary>
public sealed record FundingStart(Payment Payment, Uri PayUrl);
