using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Jobs;

namespace Poddle.Core.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>
    /// The alert notifier features raise incidents through: <see cref="DatabaseAlertNotifier"/> (incidents in the database,
    /// messages through the job queue to the receivers of section "Alerts", validated at start) unless another
    /// <see cref="IAlertNotifier"/> was registered first (a test's <see cref="LogAlertNotifier"/>). Features that raise
    /// alerts call it too; calling it again adds nothing. <paramref name="configure"/> runs after the binding.
    /// </summary>
    public static IServiceCollection AddPoddleAlerts(this IServiceCollection services, Action<OptionsBuilder<AlertsOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<AlertsOptions, AlertsOptionsValidator>(AlertsOptions.SectionName);
        configure?.Invoke(options);
        if (services.Any(d => d.ServiceType == typeof(AlertIncidents)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAlertNotifier, DatabaseAlertNotifier>();
        services.AddMetrics();
        services.TryAddSingleton<AlertMetrics>();
        services.TryAddSingleton<AlertWebhookClients>();
        services.TryAddSingleton<SmtpMailer>();
        services.TryAddScoped<AlertIncidents>();
        services.TryAddScoped<AlertReceivers>();
        services.TryAddScoped<AlertService>();
        services.AddJobHandler<AlertDispatchJob>(AlertDispatchJob.JobKind);
        services.AddJobHandler<AlertDeliveryJob>(AlertDeliveryJob.JobKind);
        services.AddHostedService<AlertFiringSampler>();
        return services;
    }
}
