using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.RunPod.Api;
using Poddle.Testing.RunPod;

namespace Poddle.Drivers.RunPod.Tests;

/// <summary>Makes a <see cref="RunPodPodDriver"/> that speaks to a <see cref="RunPodFake"/> over real HTTP, with quick retries and polls.</summary>
internal static class RunPodTestDriver
{
    /// <summary>The GPU type the tests rent.</summary>
    public const string GpuType = "NVIDIA RTX A4000";

    public static RunPodDriverOptions Options(RunPodFake fake, string? apiKey = null) => new()
    {
        Endpoint = fake.GraphQLUrl,
        ApiKey = apiKey ?? fake.ApiKey,
        CallTimeout = TimeSpan.FromSeconds(5),
        MaxRetries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        PollInterval = TimeSpan.FromMilliseconds(50),
        BreakerMinimumThroughput = 4,
        BreakDuration = TimeSpan.FromSeconds(30),
    };

    /// <summary>A driver with its own circuits (so tests never share a breaker) unless <paramref name="circuits"/> is given.</summary>
    public static RunPodPodDriver Create(RunPodDriverOptions options, RunPodCircuits? circuits = null, HttpClient? http = null)
    {
        var client = new RunPodGraphQLClient(
            http ?? new HttpClient(),
            options,
            circuits ?? new RunPodCircuits(NullLogger<RunPodCircuits>.Instance),
            NullLogger<RunPodGraphQLClient>.Instance,
            TimeProvider.System);
        return new RunPodPodDriver(client, options, NullLogger<RunPodPodDriver>.Instance, TimeProvider.System);
    }
}
