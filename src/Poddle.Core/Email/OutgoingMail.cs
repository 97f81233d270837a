namespace Poddle.Core.Email;

/// <summary>A plain-text mail to one recipient. The body may hold a one-time code: never log it.</summary>
public sealed record OutgoingMail(string To, string Subject, string Body);
