using Polly;
using Polly.CircuitBreaker;

namespace Poddle.Drivers.RunPod.Api;

/// <summary>The circuit breaker of one API key: a Polly pipeline around whole calls (retries included) and its state.</summary>
/// <param name="Pipeline">The breaker.</param>
/// <param name="State">Whether it is open now.</param>
public sealed record RunPodCircuit(ResiliencePipeline Pipeline, CircuitBreakerStateProvider State)
{
    /// <summary>Calls are refused now (open or isolated).</summary>
    public bool IsOpen => State.CircuitState is CircuitState.Open or CircuitState.Isolated;
}
