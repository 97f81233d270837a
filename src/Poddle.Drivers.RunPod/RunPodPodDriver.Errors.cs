using Polly.CircuitBreaker;
using Polly.Timeout;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

// RunPod's failures in the contract's terms: no capacity is its own kind (the pool tries its next GPU or cloud type),
// an unreachable, failing or refusing API is "driver unavailable", everything else "other" with RunPod's own message.
public sealed partial class RunPodPodDriver
{
    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RunPodApiException ex) when (ex.IsNoCapacity)
        {
            LogNoCapacity(_logger, what, ex.Message);
            throw new PodDriverException(PodFailureKind.NoCapacity, $"RunPod has no machine for this pod now: {ex.Message}", ex);
        }
        catch (RunPodApiException ex) when (ex.IsUnauthorized || ex.Transient)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"{what}: {ex.Message}", ex);
        }
        catch (RunPodApiException ex)
        {
            throw new PodDriverException(PodFailureKind.Other, $"{what}: RunPod said: {ex.Message}", ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"{what}: RunPod's circuit is open after repeated failures; try again in {_options.BreakDuration}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"{what}: RunPod did not answer within {_options.CallTimeout}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, $"{what}: RunPod is unreachable: {ex.Message}", ex);
        }
    }

    private static void CheckHandle(PodHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.Driver != DriverName)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"a handle of driver '{handle.Driver}' given to the runpod driver");
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "RunPod has no capacity for {What}: {Reason}")]
    private static partial void LogNoCapacity(Microsoft.Extensions.Logging.ILogger logger, string what, string reason);
}
