namespace Poddle.Core.Billing;

/// <summary>A notice a check found due, before it is stored (<see cref="BillingNotices.NotifyManyAsync"/>).</summary>
public sealed record PendingNotice(Guid OwnerId, string Kind, long Period, long BalanceMinor, string Message);
