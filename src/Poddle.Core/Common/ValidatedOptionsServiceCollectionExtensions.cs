using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Common;

/// <summary>The one way a Poddle options class is registered (docs/architecture.md, "Hosting").</summary>
public static class ValidatedOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the configuration section <paramref name="sectionName"/> ("" is the root)
    /// with <c>AddOptions().BindConfiguration(sectionName).ValidateOnStart()</c>, checked by <typeparamref name="TValidator"/>,
    /// which collects every problem and names the key to set. Returns the builder: tests override values with
    /// <c>Configure</c>, which runs after the binding. Calling it again for the same options binds nothing twice.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string sectionName)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<TOptions>();
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationType == typeof(TValidator)))
        {
            return builder;
        }

        // The host's configuration (every host registers one before this runs, so this adds nothing there); a bare
        // container, such as a unit test's harness, binds the defaults.
        services.TryAddSingleton<IConfiguration>(_ => new ConfigurationBuilder().Build());
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return builder.BindConfiguration(sectionName).ValidateOnStart();
    }
}
