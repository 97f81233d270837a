namespace Poddle.Contracts;

/// <summary>
/// POST /api/pods (operators): a pod from a pod template at a driver (docs/api.md "Pods"). Ports are "8888/http" or
/// "22/tcp"; cloudType is "secure", "community" or "any"; spotBid is dollars per GPU per hour (a spot pod); a field
/// the driver cannot honour is refused naming it.
/// </summary>
public sealed record CreatePodRequest(
    string? Driver,
    string? Name,
    string? Image,
    string? GpuType = null,
    int? GpuCount = null,
    int? ContainerDiskGb = null,
    int? VolumeGb = null,
    string? VolumeMountPath = null,
    IReadOnlyList<string>? Ports = null,
    IReadOnlyDictionary<string, string>? Env = null,
    string? CloudType = null,
    decimal? SpotBid = null);

/// <summary>
/// A pod at a driver as operators see it. Managed pods carry Poddle's labels (kind, owner, id of the deployment, pool
/// or operator pod they belong to); unmanaged ones are others of the same provider account.
/// </summary>
public sealed record PodResponse(
    string Driver,
    string Id,
    string? Name,
    bool Managed,
    string? Kind,
    string? Owner,
    string? PoddleId,
    string Status,
    string State,
    string? Image,
    string? GpuType,
    int GpuCount,
    decimal? CostPerHour,
    long? UptimeSeconds,
    int? GpuUtilPercent,
    int? CpuPercent,
    int? MemoryPercent,
    bool Spot);

/// <summary>GET /api/pods/account: a provider account's balance and spend, in dollars.</summary>
public sealed record PodAccountResponse(string Driver, decimal Balance, decimal SpendPerHour);

/// <summary>Cloud types of <see cref="CreatePodRequest.CloudType"/> (wire values).</summary>
public static class PodCloudTypes
{
    public const string Any = "any";
    public const string Secure = "secure";
    public const string Community = "community";
}
