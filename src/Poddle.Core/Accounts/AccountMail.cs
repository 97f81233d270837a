using System.Text.Json;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Jobs;

namespace Poddle.Core.Accounts;

/// <summary>What an account mail job carries: the kind, the user, and for notices where and when. Never a secret.</summary>
public sealed record AccountMailPayload(string Kind, Guid UserId, string? IpAddress = null, string? UserAgent = null, DateTimeOffset? At = null);

/// <summary>
/// Puts account mails in the durable job queue, in the caller's unit of work: a mail exists exactly when the change
/// that causes it commits, it is sent after the request by <see cref="AccountMailJob"/>, and a slow or failing SMTP
/// server neither delays nor fails the request (the job is retried). One-time codes are made when the mail is
/// written, so no secret waits in the queue. Without an SMTP server nothing is enqueued.
/// </summary>
public sealed class AccountMail(JobQueue jobs, IOptions<EmailOptions> options, TimeProvider clock)
{
    /// <summary>Attempts before a mail job is dead: back-off doubling from Jobs:BaseRetryDelay rides out a short SMTP outage.</summary>
    public const int MaxAttempts = 8;

    public bool IsEnabled => options.Value.IsConfigured;

    /// <summary>Whether a new sign-in is mailed (Email:SignInNotices, and SMTP configured).</summary>
    public bool SignInNoticesEnabled => IsEnabled && options.Value.SignInNotices;

    /// <summary>
    /// Adds the mail to the caller's unit of work (no-op without SMTP). With <paramref name="onePerMinute"/>, a second
    /// mail of the same kind to the same user within the same minute is not added: a button pressed twice, or someone
    /// flooding a stranger's mailbox through the reset form, sends one mail.
    /// </summary>
    public async Task EnqueueAsync(AccountMailPayload payload, bool onePerMinute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!IsEnabled)
        {
            return;
        }

        await jobs.EnqueueAsync(AccountMailJob.JobKind, payload, Options(payload, onePerMinute), cancellationToken);
    }

    /// <summary>Enqueues and saves on its own (for a request that changes nothing else); a concurrent twin within the minute is not an error.</summary>
    public async Task EnqueueAndSaveAsync(AccountMailPayload payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!IsEnabled)
        {
            return;
        }

        await jobs.EnqueueAndSaveAsync(
            AccountMailJob.JobKind,
            JsonSerializer.Serialize(payload, AccountMailJob.PayloadJson),
            Options(payload, onePerMinute: true),
            cancellationToken);
    }

    private EnqueueOptions Options(AccountMailPayload payload, bool onePerMinute) => new(
        IdempotencyKey: onePerMinute ? $"{AccountMailJob.JobKind}:{payload.Kind}:{payload.UserId:N}:{clock.GetStoredUtcNow():yyyyMMddHHmm}" : null,
        MaxAttempts: MaxAttempts);

    /// <summary>The error answered when a feature needs mail and the server has no SMTP server.</summary>
    public static Error NotConfigured(string what) => new(
        ErrorKind.Unavailable,
        AccountErrorCodes.EmailNotConfigured,
        $"This server sends no email (no SMTP server is configured: Email:Smtp:Host), so {what}. Ask an admin of this server.");
}
