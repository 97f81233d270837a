using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.RunPod.Tests;

public sealed class RunPodDriverOptionsValidatorTests
{
    [Fact]
    public void Validate_NoKey_NamesTheKeyToSet()
    {
        var result = new RunPodDriverOptionsValidator().Validate(null, new RunPodDriverOptions());

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("RunPod:ApiKey", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PlainHttpToAnotherHost_RefusedBecauseTheKeyWouldTravelInClear()
    {
        var options = new RunPodDriverOptions { ApiKey = "rpa_SECRETVALUE", Endpoint = new Uri("http://api.runpod.io/graphql"), MaxRetries = 99 };

        var result = new RunPodDriverOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("RunPod:Endpoint", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("RunPod:MaxRetries", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains("rpa_SECRETVALUE", StringComparison.Ordinal));
    }

    [Fact]
    public void AddRunPodPodDriver_Configured_IsTheKeyedRunPodDriver()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RunPod:ApiKey"] = "rpa_X" }).Build());
        services.AddLogging();
        services.AddRunPodPodDriver();
        using var provider = services.BuildServiceProvider();

        var driver = provider.GetRequiredKeyedService<IPodDriver>(RunPodPodDriver.DriverName);

        Assert.IsType<RunPodPodDriver>(driver);
        Assert.Equal("rpa_X", provider.GetRequiredService<IOptions<RunPodDriverOptions>>().Value.ApiKey);
    }
}
