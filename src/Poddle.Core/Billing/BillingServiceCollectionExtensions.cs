using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Jobs;

namespace Poddle.Core.Billing;

public static class BillingServiceCollectionExtensions
{
    /// <summary>
    /// Registers usage billing with its options (section "Billing", validated at start; <paramref name="configure"/> runs
    /// after the binding): the meter, the rater and its recurring job, the balance monitor's loop, the ledger and the billing service. The rating job
    /// is declared whether or not billing is enabled and does nothing while it is off.
    /// </summary>
    public static IServiceCollection AddPoddleBilling(this IServiceCollection services, Action<OptionsBuilder<BillingOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<BillingOptions, BillingOptionsValidator>(BillingOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<UsageMeter>();
        services.TryAddScoped<Ledger>();
        services.TryAddScoped<UsageRater>();
        services.TryAddScoped<BillingService>();
        services.TryAddScoped<BillingNotices>();
        services.TryAddScoped<BillingSuspension>();
        services.TryAddScoped<BillingMonitor>();
        services.TryAddSingleton<BillingWebhookClient>();
        services.AddHostedService<BillingMonitorLoop>();
        services.TryAddSingleton<Email.SmtpMailer>();
        services.AddJobHandler<BillingNoticeJob>(BillingNoticeJob.JobKind);
        services.Replace(ServiceDescriptor.Scoped<IDeploymentBalanceGuard, BalanceGuard>());
        services.AddJobHandler<UsageRatingJob>(UsageRatingJob.JobKind);
        services.AddSingleton(sp => new RecurringJobDefinition(
            UsageRatingJob.ScheduleName,
            sp.GetRequiredService<IOptions<BillingOptions>>().Value.RatingSchedule,
            UsageRatingJob.JobKind));

        return services;
    }
}
