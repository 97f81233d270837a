using System.Text.Json;
using System.Text.Json.Nodes;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

// What RunPod has beyond the driver contract: the account's balance and spend, GPU types and prices, and resuming a
// stopped pod (on demand or with a new spot bid).
public sealed partial class RunPodPodDriver
{
    /// <summary>The account: balance and current spend per hour.</summary>
    public async Task<RunPodAccount> GetAccountAsync(CancellationToken cancellationToken) =>
        await CallAsync("read the account", async () =>
        {
            var answer = await _client.ExecuteAsync(RunPodQueries.Account, null, "myself", idempotent: true, cancellationToken);
            return answer?.Deserialize(RunPodJsonContext.Default.RunPodAccount) ?? throw new RunPodApiException("RunPod answered no account");
        });

    /// <summary>GPU types with their prices ($/h per GPU) and the lowest prices for <paramref name="gpuCount"/> GPUs.</summary>
    public async Task<IReadOnlyList<RunPodGpuType>> GetGpuTypesAsync(int gpuCount, CancellationToken cancellationToken) =>
        await CallAsync("list GPU types", async () =>
        {
            var answer = await _client.ExecuteAsync(RunPodQueries.GpuTypes, new JsonObject { ["gpuCount"] = gpuCount }, "gpuTypes", idempotent: true, cancellationToken);
            return (IReadOnlyList<RunPodGpuType>?)answer?.Deserialize(RunPodJsonContext.Default.ListRunPodGpuType) ?? [];
        });

    /// <summary>
    /// Starts a stopped pod again with its GPUs: podResume for an on-demand pod, podBidResume with the bid of the handle
    /// (or <paramref name="bidPerGpu"/>) for a spot pod. No capacity is <see cref="PodFailureKind.NoCapacity"/>.
    /// </summary>
    public async Task ResumeAsync(PodHandle handle, decimal? bidPerGpu, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        var state = StateOf(handle) ?? new RunPodPodState(1, null, null);
        var bid = bidPerGpu ?? state.BidPerGpu;
        await CallAsync("resume the pod", async () => bid is null
            ? await _client.ExecuteAsync(RunPodQueries.Resume, new JsonObject { ["podId"] = handle.PodId, ["gpuCount"] = state.GpuCount }, "podResume", idempotent: true, cancellationToken)
            : await _client.ExecuteAsync(RunPodQueries.BidResume, new JsonObject { ["podId"] = handle.PodId, ["bidPerGpu"] = (double)bid, ["gpuCount"] = state.GpuCount }, "podBidResume", idempotent: true, cancellationToken));
    }
}
