namespace Poddle.Core.Billing;

/// <summary>The payload of one delivery of a notice: which notice, by mail or webhook (<see cref="BillingNoticeJob"/>).</summary>
public sealed record BillingNoticePayload(Guid NoticeId, string Channel);
