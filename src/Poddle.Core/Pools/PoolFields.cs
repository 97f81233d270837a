using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Pools.Gpus;

namespace Poddle.Core.Pools;

/// <summary>
/// The fields pool errors name, as paths of Core's own inputs (<see cref="NewPool"/>; <see cref="PoolChanges"/> shares
/// its names). The worker spec's rules are deployments' (<see cref="DeploymentValidation"/>), which name the same paths.
/// The server maps them to the API's names (Poddle.Server.Errors.FieldNames).
/// </summary>
public static class PoolFields
{
    public static readonly FieldPath Name = FieldPath.Of(nameof(NewPool.Name));
    public static readonly FieldPath Image = FieldPath.Of(nameof(NewPool.Image));
    public static readonly FieldPath Command = FieldPath.Of(nameof(NewPool.Command));
    public static readonly FieldPath SourceId = FieldPath.Of(nameof(NewPool.SourceId));
    public static readonly FieldPath Env = FieldPath.Of(nameof(NewPool.Env));
    public static readonly FieldPath Secrets = FieldPath.Of(nameof(NewPool.Secrets));
    public static readonly FieldPath Driver = FieldPath.Of(nameof(NewPool.Driver));
    public static readonly FieldPath CpuMillicores = FieldPath.Of(nameof(NewPool.Resources), nameof(ResourcesInput.CpuMillicores));
    public static readonly FieldPath MemoryMb = FieldPath.Of(nameof(NewPool.Resources), nameof(ResourcesInput.MemoryMb));
    public static readonly FieldPath MinWorkers = FieldPath.Of(nameof(NewPool.MinWorkers));
    public static readonly FieldPath MaxWorkers = FieldPath.Of(nameof(NewPool.MaxWorkers));
    public static readonly FieldPath Scaler = FieldPath.Of(nameof(NewPool.Scaler));
    public static readonly FieldPath ScalerType = Scaler.Member(nameof(PoolScalerInput.Type));
    public static readonly FieldPath ScalerValue = Scaler.Member(nameof(PoolScalerInput.Value));
    public static readonly FieldPath IdleTimeout = FieldPath.Of(nameof(NewPool.IdleTimeout));
    public static readonly FieldPath ScaleUpWindow = FieldPath.Of(nameof(NewPool.ScaleUpWindow));
    public static readonly FieldPath ScaleDownWindow = FieldPath.Of(nameof(NewPool.ScaleDownWindow));
    public static readonly FieldPath ExecutionTimeout = FieldPath.Of(nameof(NewPool.ExecutionTimeout));
    public static readonly FieldPath Ttl = FieldPath.Of(nameof(NewPool.Ttl));
    public static readonly FieldPath MaxRetries = FieldPath.Of(nameof(NewPool.MaxRetries));
    public static readonly FieldPath Gpu = FieldPath.Of(nameof(NewPool.Gpu));
    public static readonly FieldPath GpuTypes = Gpu.Member(nameof(PoolGpuInput.Types));
    public static readonly FieldPath GpuCount = Gpu.Member(nameof(PoolGpuInput.Count));
    public static readonly FieldPath GpuCloudTypes = Gpu.Member(nameof(PoolGpuInput.CloudTypes));
    public static readonly FieldPath GpuSpotBid = Gpu.Member(nameof(PoolGpuInput.SpotBid));
    public static readonly FieldPath Storage = FieldPath.Of(nameof(NewPool.Storage));
    public static readonly FieldPath StorageContainerDisk = Storage.Member(nameof(PoolStorageInput.ContainerDiskGb));
    public static readonly FieldPath StorageVolume = Storage.Member(nameof(PoolStorageInput.VolumeGb));
    public static readonly FieldPath StorageVolumeMountPath = Storage.Member(nameof(PoolStorageInput.VolumeMountPath));

    public static readonly FieldPath BudgetPerHour = FieldPath.Of(nameof(NewPool.BudgetPerHour));

    /// <summary>An update as a whole (one that changes nothing): the <see cref="PoolChanges"/> given.</summary>
    public static readonly FieldPath Changes = FieldPath.Of(nameof(PoolChanges));

    /// <summary>The owner's pools (the limit on how many).</summary>
    public static readonly FieldPath Pools = FieldPath.Of("Pools");
}
