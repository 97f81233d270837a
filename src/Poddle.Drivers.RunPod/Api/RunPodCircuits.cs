using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Poddle.Drivers.RunPod.Api;

/// <summary>
/// One circuit breaker per API key (keyed by a hash of it, never the key): every client of one key shares it, so an
/// account RunPod refuses or cannot serve stops being hammered by all of them, and another key is not affected.
/// The breaker counts calls that failed after their retries; it opens at half of them failing, once
/// <see cref="RunPodDriverOptions.BreakerMinimumThroughput"/> calls were made in the sampling window.
/// </summary>
public sealed partial class RunPodCircuits(ILogger<RunPodCircuits> logger)
{
    private readonly ConcurrentDictionary<string, RunPodCircuit> _circuits = new(StringComparer.Ordinal);

    /// <summary>Whether any key's circuit is open now.</summary>
    public bool AnyOpen => _circuits.Values.Any(c => c.IsOpen);

    /// <summary>The circuit of <paramref name="options"/>' key.</summary>
    public RunPodCircuit For(RunPodDriverOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey)))[..12];
        return _circuits.GetOrAdd(fingerprint, key =>
        {
            var state = new CircuitBreakerStateProvider();
            var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(RunPodGraphQLClient.IsTransient),
                    FailureRatio = 0.5,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakDuration,
                    StateProvider = state,
                    OnOpened = _ =>
                    {
                        LogOpened(logger, key, options.BreakDuration);
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = _ =>
                    {
                        LogClosed(logger, key);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
            return new RunPodCircuit(pipeline, state);
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "RunPod circuit of key {KeyHash} opened after repeated failures: calls refused for {BreakDuration}")]
    private static partial void LogOpened(ILogger logger, string keyHash, TimeSpan breakDuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "RunPod circuit of key {KeyHash} closed: RunPod answers again")]
    private static partial void LogClosed(ILogger logger, string keyHash);
}
