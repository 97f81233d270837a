using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;

namespace Poddle.Core.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// Registers outgoing mail: options (section "Email", validated at start; <paramref name="configure"/> runs after the
    /// binding) and the SMTP sender.
    /// What is mailed, and when, belongs to the features that send (accounts); they send through the job queue.
    /// </summary>
    public static IServiceCollection AddPoddleEmail(this IServiceCollection services, Action<OptionsBuilder<EmailOptions>>? configure = null)
    {
        var options = services.AddValidatedOptions<EmailOptions, EmailOptionsValidator>(EmailOptions.SectionName);
        configure?.Invoke(options);
        services.TryAddSingleton<SmtpMailer>();
        return services;
    }
}
