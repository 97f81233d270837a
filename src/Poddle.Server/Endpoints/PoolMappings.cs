using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Poddle.Contracts;
using Poddle.Core.Deployments;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Gpus;
using Poddle.Core.Pools.Runtime;

namespace Poddle.Server.Endpoints;

/// <summary>Pools and their jobs ↔ contracts: what of a pool leaves the server (secret keys, never values), and RunPod's job shapes.</summary>
internal static class PoolMappings
{
    public static NewPool ToInput(this CreatePoolRequest request) => new(
        request.Name,
        request.Image,
        request.Command,
        request.SourceId,
        request.Env,
        request.Secrets,
        request.Resources?.ToInput(),
        request.Driver,
        request.MinWorkers,
        request.MaxWorkers,
        request.Scaler?.ToInput(),
        request.IdleTimeout,
        request.ScaleUpWindow,
        request.ScaleDownWindow,
        request.ExecutionTimeout,
        request.Ttl,
        request.MaxRetries,
        request.Gpu?.ToInput(),
        request.Storage?.ToInput(),
        request.BudgetPerHour);

    public static PoolChanges ToInput(this UpdatePoolRequest request) => new(
        request.Image,
        request.Command,
        request.SourceId,
        request.Env,
        request.Secrets,
        request.Resources?.ToInput(),
        request.MinWorkers,
        request.MaxWorkers,
        request.Scaler?.ToInput(),
        request.IdleTimeout,
        request.ScaleUpWindow,
        request.ScaleDownWindow,
        request.ExecutionTimeout,
        request.Ttl,
        request.MaxRetries,
        request.Gpu?.ToInput(),
        request.Storage?.ToInput(),
        request.BudgetPerHour);

    public static PoolResponse ToResponse(this PoolView view, HttpRequest request)
    {
        var pool = view.Pool;
        var spec = view.Spec;
        return new PoolResponse(
            pool.Id,
            pool.Name,
            pool.Driver,
            spec.Image,
            spec.Command,
            spec.SourceId,
            spec.Env,
            spec.SecretKeys,
            new ResourcesDto(spec.Resources.CpuMillicores, spec.Resources.MemoryMb),
            pool.MinWorkers,
            pool.MaxWorkers,
            new PoolScalerDto(pool.ScalerType, pool.ScalerValue),
            pool.IdleTimeoutSeconds,
            pool.ScaleUpWindowSeconds,
            pool.ScaleDownWindowSeconds,
            pool.ExecutionTimeoutSeconds,
            pool.TtlSeconds,
            pool.MaxRetries,
            $"{request.Scheme}://{request.Host}{request.PathBase}/v2/{pool.Id}",
            pool.CreatedAt,
            pool.UpdatedAt,
            Gpu: spec.Gpu is { } gpu ? new PoolGpuDto(gpu.Types, gpu.Count, [.. gpu.CloudTypes.Select(PoolGpuValidation.CloudTypeName)], gpu.SpotBidPerGpu) : null,
            Storage: spec.Storage is { } storage ? new PoolStorageDto(storage.ContainerDiskGb, storage.VolumeGb, storage.VolumeMountPath) : null,
            BudgetPerHour: pool.BudgetPerHour);
    }

    public static PoolGpuInput ToInput(this PoolGpuDto dto) => new(dto.Types, dto.Count, dto.CloudTypes, dto.SpotBid);

    public static PoolStorageInput ToInput(this PoolStorageDto dto) => new(dto.ContainerDiskGb, dto.VolumeGb, dto.VolumeMountPath);

    /// <summary>A pool with its controller's view: live workers and recent events with each decision's inputs.</summary>
    public static PoolResponse ToResponse(this PoolView view, HttpRequest request, PoolRuntimeView runtime) =>
        view.ToResponse(request) with
        {
            Workers = [.. runtime.Workers.Select(w => new PoolWorkerDto(w.WorkerId, w.State, w.Reason, w.Driver, w.CreatedAt, w.StateChangedAt, w.LastPingAt))],
            Events = [.. runtime.Events.Select(e => new PoolEventDto(e.At, e.Kind, e.WorkerId, e.Reason, e.Message, e.InputsJson is { } inputs ? Parse(inputs) : null))],
        };

    public static PoolJobSubmission ToInput(this ServerlessRunRequest? request) => new(
        request?.Input is { ValueKind: not JsonValueKind.Undefined } input ? input.GetRawText() : null,
        request?.Webhook,
        request?.Policy is { } policy ? new PoolJobPolicy(policy.ExecutionTimeout, policy.Ttl) : null);

    /// <summary>RunPod's status shape: output only once completed (a failed job's output is its error's).</summary>
    public static ServerlessJobResponse ToResponse(this PoolJob job, string? status = null) => new(
        job.Id.ToString(),
        status ?? job.Status,
        job.DelayTimeMs,
        job.ExecutionTimeMs,
        job.OutputJson is { } output ? Parse(output) : null,
        job.Error,
        job.WorkerId);

    public static ServerlessHealthResponse ToResponse(this PoolHealth health) => new(
        new ServerlessHealthJobs(health.Jobs.Completed, health.Jobs.Failed, health.Jobs.InProgress, health.Jobs.InQueue, health.Jobs.Retried),
        new ServerlessHealthWorkers(health.Workers.Idle, health.Workers.Initializing, health.Workers.Ready, health.Workers.Running, health.Workers.Throttled));

    public static ServerlessStreamResponse ToResponse(this PoolJobStreamRead read) =>
        new(read.Status, [.. read.Chunks.Select(c => new ServerlessStreamChunk(Parse(c.OutputJson)))]);

    public static ServerlessWorkerJob ToWorkerJob(this PoolJob job) => new(job.Id.ToString(), Parse(job.InputJson), job.ExecutionTimeoutMs);

    private static ResourcesInput ToInput(this ResourcesDto dto) => new(dto.CpuMillicores, dto.MemoryMb);

    private static PoolScalerInput ToInput(this PoolScalerDto dto) => new(dto.Type, dto.Value);

    /// <summary>Stored JSON text back to a value (it was parsed on its way in, so it is valid).</summary>
    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
