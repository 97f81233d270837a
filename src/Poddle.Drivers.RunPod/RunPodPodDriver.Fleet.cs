using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

// The operator's view (IPodFleet, `poddle pods`): every pod of the account by RunPod's id, Poddle's told from others by
// the labels in their env.
public sealed partial class RunPodPodDriver : IPodFleet
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<FleetPod>> ListFleetAsync(CancellationToken cancellationToken) =>
        [.. (await ListPodsAsync(cancellationToken)).Where(p => p.DesiredStatus != RunPodStatuses.Terminated).Select(FleetPodOf)];

    /// <inheritdoc />
    public async Task<FleetPod?> GetFleetPodAsync(string podId, CancellationToken cancellationToken) =>
        await GetPodAsync(podId, cancellationToken) is { } pod && pod.DesiredStatus != RunPodStatuses.Terminated ? FleetPodOf(pod) : null;

    /// <inheritdoc />
    public async Task ResumeFleetPodAsync(string podId, CancellationToken cancellationToken)
    {
        // The pod's GPU count and spot bid come from RunPod's answer (an unknown pod: RunPod's own error).
        var pod = await GetPodAsync(podId, cancellationToken) ?? new RunPodPod(podId, null, null, null, null, null, 1, null, null, null, null, null);
        await ResumeAsync(HandleOf(pod, []), null, cancellationToken);
    }

    /// <inheritdoc />
    public Task StopFleetPodAsync(string podId, CancellationToken cancellationToken) =>
        StopAsync(new PodHandle(DriverName, podId, StateVersion, "{}", new Dictionary<string, string>()), TimeSpan.Zero, cancellationToken);

    /// <inheritdoc />
    public Task TerminateFleetPodAsync(string podId, CancellationToken cancellationToken) =>
        DestroyAsync(new PodHandle(DriverName, podId, StateVersion, "{}", new Dictionary<string, string>()), cancellationToken);

    /// <inheritdoc />
    public async Task<FleetAccount> GetFleetAccountAsync(CancellationToken cancellationToken)
    {
        var account = await GetAccountAsync(cancellationToken);
        return new FleetAccount((decimal)(account.ClientBalance ?? 0), (decimal)(account.CurrentSpendPerHr ?? 0));
    }

    private static FleetPod FleetPodOf(RunPodPod pod)
    {
        var labels = LabelsOf(pod);
        var gpus = pod.Runtime?.Gpus;
        return new FleetPod(
            pod.Id,
            pod.Name,
            labels is not null,
            labels ?? [],
            pod.DesiredStatus ?? "UNKNOWN",
            StatusOf(pod, null).State,
            pod.ImageName,
            pod.Machine?.GpuDisplayName,
            pod.GpuCount ?? 0,
            pod.CostPerHr is { } cost ? Math.Round((decimal)cost, 4) : null,
            pod.Runtime?.UptimeInSeconds is { } uptime ? TimeSpan.FromSeconds(uptime) : null,
            gpus is { Count: > 0 } && gpus.Any(g => g.GpuUtilPercent is not null) ? (int)Math.Round(gpus.Average(g => g.GpuUtilPercent ?? 0)) : null,
            pod.Runtime?.Container?.CpuPercent,
            pod.Runtime?.Container?.MemoryPercent,
            pod.PodType == "INTERRUPTABLE");
    }
}
