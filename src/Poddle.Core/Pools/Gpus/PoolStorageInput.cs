namespace Poddle.Core.Pools.Gpus;

/// <summary>A pool worker's disks as asked for (unvalidated), in GB as providers sell them; the volume's mount path.</summary>
public sealed record PoolStorageInput(int? ContainerDiskGb = null, int? VolumeGb = null, string? VolumeMountPath = null);
