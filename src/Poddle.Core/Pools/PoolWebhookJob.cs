using System.Net.Mime;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Pools;

/// <summary>
/// Delivers a finished job's webhook: one POST of its final status (RunPod's shape, <see cref="PoolJobJson"/>), retried
/// by the job queue with back-off on a failure or a non-2xx answer, up to <see cref="PoolOptions.WebhookAttempts"/>.
/// Enqueued in the transaction that finished the job, once per final status (at least once, like every job handler).
/// </summary>
public sealed partial class PoolWebhookJob(
    PoddleDbContext db,
    PoolWebhookClient client,
    IOptions<PoolOptions> options,
    ILogger<PoolWebhookJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.PoolWebhook;

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.Payload, out var jobId))
        {
            return;
        }

        var job = await db.PoolJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job?.Webhook is null || !PoolJobStatuses.IsFinal(job.Status))
        {
            return; // expired, deleted with its pool, or retried since: nothing to tell
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        using var content = new StringContent(PoolJobJson.Write(job), Encoding.UTF8, MediaTypeNames.Application.Json);
        using var response = await client.Http.PostAsync(new Uri(job.Webhook), content, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            // The host is the user's own; the path and query may hold their secrets, so they stay out of the log.
            LogFailed(logger, jobId, new Uri(job.Webhook).Host, (int)response.StatusCode, context.Attempt);
            throw new HttpRequestException($"The webhook answered {(int)response.StatusCode}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook of job {JobId} to {Host} answered {Status} (attempt {Attempt})")]
    private static partial void LogFailed(ILogger logger, Guid jobId, string host, int status, int attempt);
}
