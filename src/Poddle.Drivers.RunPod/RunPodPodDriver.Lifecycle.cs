using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod.Api;

namespace Poddle.Drivers.RunPod;

// The pod's life at RunPod: rent (on demand or spot), re-attach, inspect, list by labels, wait, stop and terminate;
// every call by pod id.
public sealed partial class RunPodPodDriver
{
    private const int MaxNameLength = 100;

    /// <inheritdoc />
    public async Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        var spot = spec.Placement.SpotBidPerGpu;
        var input = DeployInput(spec);
        var pod = await CallAsync("rent a pod", async () =>
        {
            var answer = await _client.ExecuteAsync(
                spot is null ? RunPodQueries.DeployOnDemand : RunPodQueries.RentInterruptable,
                new JsonObject { ["input"] = input },
                spot is null ? "podFindAndDeployOnDemand" : "podRentInterruptable",
                idempotent: false,
                cancellationToken);
            return answer?.Deserialize(RunPodJsonContext.Default.RunPodPod)
                ?? throw new RunPodApiException("RunPod rented no pod and gave no reason");
        });
        LogStarted(_logger, pod.Id, spec.Name, spec.Gpu!.Count, spec.Gpu.Type!, pod.CostPerHr ?? 0);
        var state = new RunPodPodState(spec.Gpu.Count, spot, spec.Port);
        return new PodHandle(DriverName, pod.Id, StateVersion, JsonSerializer.Serialize(state, RunPodJsonContext.Default.RunPodPodState), spec.Labels);
    }

    /// <inheritdoc />
    public Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        // Nothing to re-attach: every call asks RunPod by id.
        CheckHandle(handle);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        var pod = await GetPodAsync(handle.PodId, cancellationToken);
        return StatusOf(pod, PortOf(handle, pod));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var pod in await ListPodsAsync(cancellationToken))
        {
            if (pod.DesiredStatus == RunPodStatuses.Terminated || LabelsOf(pod) is not { } podLabels)
            {
                continue;
            }

            if (labels.All(l => podLabels.TryGetValue(l.Key, out var value) && value == l.Value))
            {
                yield return HandleOf(pod, podLabels);
            }
        }
    }

    /// <summary>Every pod of the account, Poddle's and others (<see cref="LabelsOf"/> tells them apart).</summary>
    public async Task<IReadOnlyList<RunPodPod>> ListPodsAsync(CancellationToken cancellationToken) =>
        await CallAsync("list pods", async () =>
        {
            var answer = await _client.ExecuteAsync(RunPodQueries.Pods, null, "myself", idempotent: true, cancellationToken);
            return (IReadOnlyList<RunPodPod>?)answer?.Deserialize(RunPodJsonContext.Default.RunPodAccount)?.Pods ?? [];
        });

    /// <inheritdoc />
    public async Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        while (true)
        {
            var status = await InspectAsync(handle, cancellationToken);
            if (status.State is PodState.Exited or PodState.NotFound)
            {
                return ExitResult.Unknown;
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>RunPod's podStop has no grace period: the container is stopped at once (<see cref="DriverCapabilities.Signals"/> false).</remarks>
    public async Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        var pod = await GetPodAsync(handle.PodId, cancellationToken);
        if (pod is null || pod.DesiredStatus is RunPodStatuses.Exited or RunPodStatuses.Terminated or RunPodStatuses.Dead)
        {
            return;
        }

        await CallAsync("stop the pod", async () =>
            await _client.ExecuteAsync(RunPodQueries.Stop, new JsonObject { ["podId"] = handle.PodId }, "podStop", idempotent: true, cancellationToken));
    }

    /// <inheritdoc />
    public async Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        CheckHandle(handle);
        if (await GetPodAsync(handle.PodId, cancellationToken) is null)
        {
            return;
        }

        try
        {
            await CallAsync("terminate the pod", async () =>
                await _client.ExecuteAsync(RunPodQueries.Terminate, new JsonObject { ["podId"] = handle.PodId }, "podTerminate", idempotent: true, cancellationToken));
        }
        catch (PodDriverException)
        {
            // Terminated meanwhile (by another server, or a retry of a call RunPod had carried out): done all the same.
            if (await GetPodAsync(handle.PodId, cancellationToken) is not null)
            {
                throw;
            }
        }
    }

    /// <summary>A pod by id; null when RunPod does not know it (terminated, never existed).</summary>
    public async Task<RunPodPod?> GetPodAsync(string podId, CancellationToken cancellationToken) =>
        await CallAsync("inspect the pod", async () =>
        {
            var answer = await _client.ExecuteAsync(RunPodQueries.Pod, new JsonObject { ["podId"] = podId }, "pod", idempotent: true, cancellationToken);
            return answer?.Deserialize(RunPodJsonContext.Default.RunPodPod);
        });

    private void Validate(PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec.Image))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the runpod driver runs images: the spec has none");
        }

        if (spec.SourceDirectory is not null)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the runpod driver does not upload source directories: build them into the image");
        }

        if (spec.Gpu is not { Type: not null })
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the runpod driver rents GPU pods: set gpu.type (a RunPod GPU type id such as \"NVIDIA GeForce RTX 4090\") and gpu.count");
        }

        if (spec.Security.Requested != PodSecurityFeatures.None)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the runpod driver cannot change a pod's security settings (security.*): RunPod runs the image as it is");
        }

        foreach (var name in spec.Env.Keys)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Any(char.IsControl) || name == LabelsVariable)
            {
                throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"environment variable '{new string([.. name.Where(c => !char.IsControl(c))])}' cannot be passed (empty, '=', control characters, or {LabelsVariable})");
            }
        }

        Capabilities.EnsureSupports(spec, DriverName);
    }

    private JsonObject DeployInput(PodSpec spec)
    {
        var env = new JsonArray();
        foreach (var (name, value) in spec.Env)
        {
            env.Add(new JsonObject { ["key"] = name, ["value"] = value });
        }

        if (spec.Port is { } port)
        {
            env.Add(new JsonObject { ["key"] = "PORT", ["value"] = port.ToString(CultureInfo.InvariantCulture) });
        }

        env.Add(new JsonObject { ["key"] = LabelsVariable, ["value"] = JsonSerializer.Serialize(new Dictionary<string, string>(spec.Labels), RunPodJsonContext.Default.DictionaryStringString) });

        var ports = new List<string>();
        if (spec.Port is { } main)
        {
            // The app's port through RunPod's HTTP proxy, unless the spec maps it as TCP (a public address and port).
            ports.Add((spec.Ports.FirstOrDefault(p => p.Port == main) ?? new PodPortMapping(main, PodPortMapping.Http)).ToString());
        }

        ports.AddRange(spec.Ports.Where(p => p.Port != spec.Port).Select(p => p.ToString()));
        var input = new JsonObject
        {
            ["name"] = PodName(spec),
            ["imageName"] = spec.Image,
            ["gpuTypeId"] = spec.Gpu!.Type,
            ["gpuCount"] = spec.Gpu.Count,
            ["cloudType"] = spec.Placement.CloudType switch { PodCloudType.Secure => "SECURE", PodCloudType.Community => "COMMUNITY", _ => "ALL" },
            ["containerDiskInGb"] = spec.Storage?.ContainerDiskGb ?? _options.DefaultContainerDiskGb,
            ["volumeInGb"] = spec.Storage?.VolumeGb ?? 0,
            ["minVcpuCount"] = Math.Max(1, (spec.Resources.CpuMillicores + 999) / 1000),
            ["minMemoryInGb"] = Math.Max(1, (spec.Resources.MemoryMb + 1023) / 1024),
            ["ports"] = string.Join(',', ports),
            ["env"] = env,
            ["supportPublicIp"] = spec.Ports.Any(p => p.Protocol == PodPortMapping.Tcp),
            ["startSsh"] = false,
        };
        if (spec.Storage?.VolumeMountPath is { } mount)
        {
            input["volumeMountPath"] = mount;
        }

        if (spec.Command is { Count: > 0 } command)
        {
            input["dockerArgs"] = ShellJoin(command);
        }

        if (spec.Placement.SpotBidPerGpu is { } bid)
        {
            input["bidPerGpu"] = (double)bid;
        }

        return input;
    }

    /// <summary>"{prefix}{kind}-{id}-{name}": Poddle's kind and id are visible in RunPod's console; the labels are in the env.</summary>
    private string PodName(PodSpec spec)
    {
        var name = new StringBuilder(_options.NamePrefix);
        foreach (var part in new[] { spec.Labels.GetValueOrDefault(PodLabels.Kind), spec.Labels.GetValueOrDefault(PodLabels.Id), spec.Name })
        {
            if (!string.IsNullOrEmpty(part))
            {
                name.Append(new string([.. part.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')])).Append('-');
            }
        }

        var text = name.ToString().TrimEnd('-');
        return text.Length <= MaxNameLength ? text : text[..MaxNameLength];
    }

    // A command as one string of single-quoted words, the form RunPod's dockerArgs takes.
    private static string ShellJoin(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    [LoggerMessage(Level = LogLevel.Information, Message = "RunPod pod {PodId} rented for {Name}: {GpuCount} x {GpuType} at ${CostPerHr}/h")]
    private static partial void LogStarted(ILogger logger, string podId, string name, int gpuCount, string gpuType, double costPerHr);
}
