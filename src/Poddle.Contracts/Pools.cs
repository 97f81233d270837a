using System.Text.Json;
using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>
/// POST /api/pools: a worker pool (docs/pools.md). The worker spec is a deployment's (image, or command with an optional
/// source bundle; env; write-only secrets; resources per worker; driver). Durations are whole seconds.
/// </summary>
public sealed record CreatePoolRequest(
    string? Name,
    string? Image = null,
    [property: JsonConverter(typeof(CommandJsonConverter))] IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? Secrets = null,
    ResourcesDto? Resources = null,
    string? Driver = null,
    int? MinWorkers = null,
    int? MaxWorkers = null,
    PoolScalerDto? Scaler = null,
    int? IdleTimeout = null,
    int? ScaleUpWindow = null,
    int? ScaleDownWindow = null,
    int? ExecutionTimeout = null,
    int? Ttl = null,
    int? MaxRetries = null,
    PoolGpuDto? Gpu = null,
    PoolStorageDto? Storage = null,
    decimal? BudgetPerHour = null);

/// <summary>PATCH /api/pools/{id}: any field given replaces the current one; env and secrets are merged (a null value removes a key).</summary>
public sealed record UpdatePoolRequest(
    string? Image = null,
    [property: JsonConverter(typeof(CommandJsonConverter))] IReadOnlyList<string>? Command = null,
    Guid? SourceId = null,
    IReadOnlyDictionary<string, string?>? Env = null,
    IReadOnlyDictionary<string, string?>? Secrets = null,
    ResourcesDto? Resources = null,
    int? MinWorkers = null,
    int? MaxWorkers = null,
    PoolScalerDto? Scaler = null,
    int? IdleTimeout = null,
    int? ScaleUpWindow = null,
    int? ScaleDownWindow = null,
    int? ExecutionTimeout = null,
    int? Ttl = null,
    int? MaxRetries = null,
    PoolGpuDto? Gpu = null,
    PoolStorageDto? Storage = null,
    decimal? BudgetPerHour = null);

/// <summary>POST /api/pools/{id}/scale: new bounds (either or both).</summary>
public sealed record ScalePoolRequest(int? MinWorkers = null, int? MaxWorkers = null);

/// <summary>A pool's scaler: type queueDelay (value: seconds a job may wait) or requestCount (value: jobs per worker).</summary>
public sealed record PoolScalerDto(string? Type = null, int? Value = null);

/// <summary>A pool as the API shows it: secret keys, never values. Durations in seconds; budgetPerHour in USD per hour (null: none).</summary>
public sealed record PoolResponse(
    Guid Id,
    string Name,
    string Driver,
    string? Image,
    IReadOnlyList<string>? Command,
    Guid? SourceId,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> SecretKeys,
    ResourcesDto Resources,
    int MinWorkers,
    int MaxWorkers,
    PoolScalerDto Scaler,
    int IdleTimeout,
    int ScaleUpWindow,
    int ScaleDownWindow,
    int ExecutionTimeout,
    int Ttl,
    int MaxRetries,
    string ServerlessUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PoolWorkerDto>? Workers = null,
    IReadOnlyList<PoolEventDto>? Events = null,
    PoolGpuDto? Gpu = null,
    PoolStorageDto? Storage = null,
    decimal? BudgetPerHour = null);

/// <summary>
/// A pool's GPUs per worker (docs/pools.md "GPU pools"): <c>types</c>, the provider's GPU type ids in order of preference
/// (a start the provider has no machine for tries the next), <c>count</c> GPUs per worker (1 by default),
/// <c>cloudTypes</c> "secure", "community" or "all" in order of preference (tried after every GPU type of the one before;
/// "all" by default), <c>spotBid</c> dollars per GPU-hour for interruptible workers (none: on demand).
/// </summary>
public sealed record PoolGpuDto(IReadOnlyList<string>? Types = null, int? Count = null, IReadOnlyList<string>? CloudTypes = null, decimal? SpotBid = null);

/// <summary>A pool worker's disks in GB (the driver's defaults when left out) and where its volume is mounted.</summary>
public sealed record PoolStorageDto(int? ContainerDiskGb = null, int? VolumeGb = null, string? VolumeMountPath = null);

/// <summary>A live worker of a pool (GET /api/pools/{id}): state is spawning, initializing, idle, running, draining or terminating.</summary>
public sealed record PoolWorkerDto(string Id, string State, string? Reason, string Driver, DateTimeOffset CreatedAt, DateTimeOffset StateChangedAt, DateTimeOffset? LastPingAt);

/// <summary>
/// Something a pool's controller did (kind "worker": a worker's transition, reason from the lifecycle) or decided (kind
/// "decision": reason is the scaling rule that fired, inputs what it was decided from), newest first.
/// </summary>
public sealed record PoolEventDto(DateTimeOffset At, string Kind, string? WorkerId, string Reason, string Message, JsonElement? Inputs = null);

/// <summary>RunPod's job request (POST /v2/{poolId}/run and /runsync): input is any JSON value; policy times in milliseconds.</summary>
public sealed record ServerlessRunRequest(JsonElement? Input = null, string? Webhook = null, ServerlessPolicyDto? Policy = null);

/// <summary>RunPod's execution policy: executionTimeout and ttl in milliseconds (lowPriority is accepted and has no effect).</summary>
public sealed record ServerlessPolicyDto(long? ExecutionTimeout = null, long? Ttl = null, bool? LowPriority = null);

/// <summary>
/// RunPod's job status: status is IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED or TIMED_OUT; delayTime and
/// executionTime in milliseconds; output once completed, error once failed.
/// </summary>
public sealed record ServerlessJobResponse(
    string Id,
    string Status,
    long? DelayTime = null,
    long? ExecutionTime = null,
    JsonElement? Output = null,
    string? Error = null,
    string? WorkerId = null);

/// <summary>RunPod's stream answer: the chunks not handed out before, each as {"output": chunk}.</summary>
public sealed record ServerlessStreamResponse(string Status, IReadOnlyList<ServerlessStreamChunk> Stream);

/// <summary>One stream chunk.</summary>
public sealed record ServerlessStreamChunk(JsonElement Output);

/// <summary>RunPod's health: jobs by status and workers by state.</summary>
public sealed record ServerlessHealthResponse(ServerlessHealthJobs Jobs, ServerlessHealthWorkers Workers);

public sealed record ServerlessHealthJobs(int Completed, int Failed, int InProgress, int InQueue, int Retried);

/// <summary>Workers by state (all zero until the autoscaler is wired to the drivers).</summary>
public sealed record ServerlessHealthWorkers(int Idle, int Initializing, int Ready, int Running, int Throttled);

/// <summary>RunPod's purge-queue answer: how many queued jobs were removed; status "completed".</summary>
public sealed record ServerlessPurgeResponse(int Removed, string Status);

/// <summary>
/// The job a worker takes (RunPod's job-take answer): its id and input, plus Poddle's <c>executionTimeout</c> (ms) so a
/// worker can stop its handler in time (runpod-python ignores it).
/// </summary>
public sealed record ServerlessWorkerJob(string Id, JsonElement Input, long? ExecutionTimeout = null);

/// <summary>Poddle's job-stop answer: the job the worker holds is no longer its to run (cancelled, timed out, taken back), with its status.</summary>
public sealed record ServerlessWorkerStop(string Id, string Status);
