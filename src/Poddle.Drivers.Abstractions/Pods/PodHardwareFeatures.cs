namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>
/// The <see cref="PodSpec"/> fields beyond CPU and memory a driver can honour (<see cref="DriverCapabilities.Hardware"/>);
/// a spec asking for another is refused with <see cref="PodFailureKind.UnsupportedSpec"/> (<see cref="DriverCapabilities.EnsureSupports"/>).
/// </summary>
[Flags]
public enum PodHardwareFeatures
{
    /// <summary>None of them.</summary>
    None = 0,

    /// <summary><see cref="PodSpec.Gpu"/> by count.</summary>
    Gpu = 1,

    /// <summary><see cref="PodGpu.Type"/>: a chosen GPU model.</summary>
    GpuType = 2,

    /// <summary><see cref="PodStorage.ContainerDiskGb"/>.</summary>
    ContainerDisk = 4,

    /// <summary><see cref="PodStorage.VolumeGb"/> and <see cref="PodStorage.VolumeMountPath"/>.</summary>
    Volume = 8,

    /// <summary><see cref="PodSpec.Ports"/>.</summary>
    Ports = 16,

    /// <summary><see cref="PodPlacement.CloudType"/> other than <see cref="PodCloudType.Any"/>.</summary>
    CloudType = 32,

    /// <summary><see cref="PodPlacement.SpotBidPerGpu"/>: interruptible pods.</summary>
    Spot = 64,
}
