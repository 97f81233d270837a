using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;

namespace Poddle.Core.Billing;

/// <summary>
/// The recurring job that rates usage (<see cref="UsageRater"/>); idempotent, so retries and duplicates are harmless. Its
/// first run with billing on marks where billing begins (<see cref="UsageRater.BeginAsync"/>); each run then checks every
/// balance (<see cref="BillingMonitor"/>).
/// </summary>
public sealed class UsageRatingJob(UsageRater rater, BillingMonitor monitor, IOptions<BillingOptions> options) : IJobHandler
{
    public const string JobKind = JobKinds.BillingRating;
    public const string ScheduleName = "billing-rating";

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            await rater.BeginAsync(cancellationToken);
            await rater.RateDueAsync(cancellationToken);

            // Right after the charges: warnings, suspension past the grace, and resume (a credit that missed its own check).
            await monitor.CheckAllAsync(cancellationToken);
        }
    }
}
