using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Poddle.Core.Billing.Invoices;
using Poddle.Core.Billing.Payments.Click;
using Poddle.Core.Billing.Payments.Payme;
using Poddle.Core.Common;

namespace Poddle.Core.Billing.Payments;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers payments (Payme's Merchant API and Click's SHOP API, each with its validated options, sections
    /// "Billing:Payme" and "Billing:Click") and invoices. Call after <see cref="BillingServiceCollectionExtensions.AddPoddleBilling"/>.
    /// </summary>
    public static IServiceCollection AddPoddlePayments(this IServiceCollection services)
    {
        services.AddValidatedOptions<PaymeOptions, PaymeOptionsValidator>(PaymeOptions.SectionName);
        services.AddValidatedOptions<ClickOptions, ClickOptionsValidator>(ClickOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<PaymentSettlement>();
        services.TryAddScoped<PaymeMerchant>();
        services.TryAddScoped<ClickMerchant>();
        services.TryAddScoped<FundingService>();
        services.TryAddScoped<InvoiceService>();
        return services;
    }
}
