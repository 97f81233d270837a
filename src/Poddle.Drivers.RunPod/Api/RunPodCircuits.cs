using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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
/// <see cref="RunPodDriverOptions.BreakerMinimumThroughput"/> calls were made in the sampling window. Each circuit's
/// state is the gauge <c>poddle_runpod_circuit_open</c> (Meter "Poddle.RunPod", label <c>key</c>: the hash) at /metrics.
/// </summary>
public sealed partial class RunPodCircuits
{
    /// <summary>The .NET Meter of the RunPod driver.</summary>
    public const string MeterName = "Poddle.RunPod";

    private readonly ConcurrentDictionary<string, RunPodCircuit> _circuits = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Creates the registry; with <paramref name="meters"/>, the circuits' states are a gauge.</summary>
    public RunPodCircuits(ILogger<RunPodCircuits> logger, IMeterFactory? meters = null)
    {
        _logger = logger;
        meters?.Create(MeterName).CreateObservableGauge(
            "circuit_open",
            () => _circuits.Select(c => new Measurement<int>(c.Value.IsOpen ? 1 : 0, new KeyValuePair<string, object?>("key", c.Key))),
            description: "1 while the RunPod circuit breaker of an API key (by hash) refuses calls");
    }

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
                        LogOpened(_logger, key, options.BreakDuration);
                        return ValueTask.CompletedTask;
                    },
                    OnClosed = _ =>
                    {
                        LogClosed(_logger, key);
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
