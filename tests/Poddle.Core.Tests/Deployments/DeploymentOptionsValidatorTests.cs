using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new DeploymentOptionsValidator().Validate(null, new DeploymentOptions()).Succeeded);

    [Theory]
    [InlineData("BaseDomain", "Deployments:BaseDomain")]
    [InlineData("SecretKey", "Deployments:SecretKey")]
    [InlineData("ReconcileInterval", "Deployments:ReconcileInterval")]
    [InlineData("ProgressDeadline", "Deployments:ProgressDeadline")]
    [InlineData("MaxSourceBytes", "Deployments:MaxSourceBytes")]
    [InlineData("Tiers", "Deployments:Tiers:free")]
    public void Validate_BadValue_FailsNamingTheKey(string property, string key)
    {
        var options = new DeploymentOptions();
        switch (property)
        {
            case "BaseDomain": options.BaseDomain = ".example.com"; break;
            case "SecretKey": options.SecretKey = "c2hvcnQ="; break;
            case "ReconcileInterval": options.ReconcileInterval = TimeSpan.Zero; break;
            case "ProgressDeadline": options.ProgressDeadline = TimeSpan.FromSeconds(1); break;
            case "MaxSourceBytes": options.MaxSourceBytes = 10; break;
            default: options.Tiers.Remove("free"); break;
        }

        var result = new DeploymentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PodDriverNames.Sandbox, PodDriverNames.Docker)]
    [InlineData("custom", PodDriverNames.Docker)]
    public void DriversValidator_KnownOrRegisteredDrivers_Succeeds(string command, string image)
    {
        var options = new DeploymentOptions { DefaultCommandDriver = command, DefaultImageDriver = image };

        Assert.True(DriversValidator("custom").Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("DefaultCommandDriver", "Deployments:DefaultCommandDriver")]
    [InlineData("DefaultImageDriver", "Deployments:DefaultImageDriver")]
    public void DriversValidator_UnregisteredDriver_FailsNamingTheKey(string property, string key)
    {
        var options = new DeploymentOptions();
        if (property == "DefaultCommandDriver")
        {
            options.DefaultCommandDriver = "sandbx";
        }
        else
        {
            options.DefaultImageDriver = "dokcer";
        }

        var result = DriversValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    private static DeploymentDriversValidator DriversValidator(params string[] registered)
    {
        var services = new ServiceCollection();
        foreach (var name in registered)
        {
            services.AddKeyedSingleton<IPodDriver>(name, (_, _) => throw new InvalidOperationException("the check must not build a driver"));
        }

        return new DeploymentDriversValidator(services.BuildServiceProvider().GetRequiredService<IServiceProviderIsKeyedService>());
    }
}
