using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// The start-up check of the driver names Deployments' settings point at: Deployments:DefaultCommandDriver and
/// Deployments:DefaultImageDriver must name a driver registered in this host (a keyed <see cref="IPodDriver"/>) or one
/// this build ships (<see cref="PodDriverNames.BuiltIn"/>, which a host may leave out: its deployments then fail as
/// "driver not available", as before). A typo stops the start naming the key. It builds no driver.
/// </summary>
public sealed class DeploymentDriversValidator(IServiceProviderIsKeyedService registered) : IValidateOptions<DeploymentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(nameof(DeploymentOptions.DefaultCommandDriver), options.DefaultCommandDriver, failures);
        Check(nameof(DeploymentOptions.DefaultImageDriver), options.DefaultImageDriver, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Check(string key, string? driver, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(driver)
            || (!PodDriverNames.BuiltIn.Contains(driver, StringComparer.Ordinal) && !registered.IsKeyedService(typeof(IPodDriver), driver)))
        {
            failures.Add($"{DeploymentOptions.SectionName}:{key} must name a pod driver ({string.Join(", ", PodDriverNames.BuiltIn)} or one this server registers); got '{driver}'.");
        }
    }
}
