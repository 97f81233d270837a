using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// Registers outgoing mail: options (the server binds section "Email"), validated at start, and the SMTP sender.
    /// What is mailed, and when, belongs to the features that send (accounts); they send through the job queue.
    /// </summary>
    public static IServiceCollection AddPoddleEmail(this IServiceCollection services, Action<OptionsBuilder<EmailOptions>>? configure = null)
    {
        var optionsBuilder = services.AddOptions<EmailOptions>();
        configure?.Invoke(optionsBuilder);
        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>());
        services.TryAddSingleton<SmtpMailer>();
        return services;
    }
}
