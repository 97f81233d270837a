namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>Disks of a pod (<see cref="PodSpec.Storage"/>), in GB as providers sell them.</summary>
/// <param name="ContainerDiskGb">The container's own disk (lost when the pod stops); null: the driver's default.</param>
/// <param name="VolumeGb">A volume kept while the pod exists, stopped or running; null or 0: none.</param>
/// <param name="VolumeMountPath">Where the volume is mounted ("/workspace"); null: the driver's default.</param>
public sealed record PodStorage(int? ContainerDiskGb = null, int? VolumeGb = null, string? VolumeMountPath = null);
