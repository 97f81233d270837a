namespace Poddle.Core.Jobs;

/// <summary>
/// Every job kind, in one place: the key a handler is registered under (<see cref="JobsServiceCollectionExtensions.AddJobHandler{THandler}"/>),
/// what lanes and readiness gates name, and what is stored in each job row and shown by the queue's statistics. Wire
/// values: a renamed kind strands the jobs already queued under the old name.
/// </summary>
public static class JobKinds
{
    /// <summary>The queue's own clean-up (<see cref="MaintenanceJob"/>).</summary>
    public const string Maintenance = "poddle.maintenance";

    /// <summary>Mail about an account (sign-in alerts, verification, password reset).</summary>
    public const string AccountMail = "accounts.mail";

    /// <summary>One code execution; also the name of its lane.</summary>
    public const string Execution = "execution";

    /// <summary>Removal of expired execution results.</summary>
    public const string ExecutionExpiry = "execution.expiry";

    /// <summary>Grading of one submission; also the name of its lane.</summary>
    public const string Grading = "grading";

    /// <summary>One converge step of a deployment's controller.</summary>
    public const string DeploymentConverge = "deployment.converge";

    /// <summary>Delivery of a pool job's webhook (its final status).</summary>
    public const string PoolWebhook = "pool.webhook";

    /// <summary>Rating of metered usage into hourly charges (billing).</summary>
    public const string BillingRating = "billing.rating";

    /// <summary>Delivery of one billing notice (low balance, suspended, resumed) by mail or webhook.</summary>
    public const string BillingNotice = "billing.notice";

    /// <summary>Fan-out of one alert message (problem or recovery) to its receivers.</summary>
    public const string AlertDispatch = "alerts.dispatch";

    /// <summary>Delivery of one alert message to one receiver (webhook or mail).</summary>
    public const string AlertDelivery = "alerts.delivery";
}
