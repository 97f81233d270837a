using System.Globalization;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Pools.Gpus;

/// <summary>
/// The rules of a pool's GPUs and disks (docs/pools.md, "GPU pools"): messages name the field (<c>gpu.types[1]</c>) and
/// the limit. Whether the pool's driver can honour them is checked after, by the driver's capabilities
/// (<see cref="CheckDriver"/>, the same <see cref="DriverCapabilities.EnsureSupports"/> a driver applies at start).
/// </summary>
public static class PoolGpuValidation
{
    public const int MaxGpuTypes = 10;
    public const int MaxGpuTypeLength = 100;
    public const int MaxGpuCount = 8;
    public const decimal MaxSpotBid = 100m;
    public const int MaxContainerDiskGb = 1000;
    public const int MaxVolumeGb = 2000;
    public const int MaxMountPathLength = 255;

    /// <summary>The cloud types' wire names, in the API and the pool file.</summary>
    public const string Secure = "secure";

    public const string Community = "community";

    public const string All = "all";

    /// <summary>A cloud type's wire name.</summary>
    public static string CloudTypeName(PodCloudType cloud) => cloud switch
    {
        PodCloudType.Secure => Secure,
        PodCloudType.Community => Community,
        _ => All,
    };

    /// <summary>The validated GPUs; null when none were asked for or a rule failed (the errors say which).</summary>
    public static PoolGpuSpec? Build(PoolGpuInput? input, FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (input is null)
        {
            return null;
        }

        var before = errors.Count;
        var types = input.Types ?? [];
        if (types.Count == 0)
        {
            errors.Add(PoolFields.GpuTypes, $"Give at least one GPU type (the provider's id, e.g. \"NVIDIA RTX A4000\"), in order of preference; at most {MaxGpuTypes}.");
        }
        else if (types.Count > MaxGpuTypes)
        {
            errors.Add(PoolFields.GpuTypes, $"At most {MaxGpuTypes} GPU types.");
        }

        for (var i = 0; i < Math.Min(types.Count, MaxGpuTypes); i++)
        {
            var type = types[i];
            if (string.IsNullOrWhiteSpace(type) || type.Length > MaxGpuTypeLength || type.Any(char.IsControl) || type.Trim() != type)
            {
                errors.Add(PoolFields.GpuTypes.Index(i), $"A GPU type id: 1-{MaxGpuTypeLength} characters, no control characters or surrounding spaces.");
            }
            else if (types.Take(i).Contains(type, StringComparer.Ordinal))
            {
                errors.Add(PoolFields.GpuTypes.Index(i), $"'{type}' is already in the list.");
            }
        }

        var count = input.Count ?? 1;
        if (count is < 1 or > MaxGpuCount)
        {
            errors.Add(PoolFields.GpuCount, $"GPUs per worker: between 1 and {MaxGpuCount}.");
        }

        var clouds = new List<PodCloudType>();
        var cloudNames = input.CloudTypes ?? [];
        if (cloudNames.Count > 3)
        {
            errors.Add(PoolFields.GpuCloudTypes, $"At most 3 cloud types ({Secure}, {Community}, {All}).");
        }

        for (var i = 0; i < Math.Min(cloudNames.Count, 3); i++)
        {
            PodCloudType? cloud = cloudNames[i] switch { Secure => PodCloudType.Secure, Community => PodCloudType.Community, All => PodCloudType.Any, _ => null };
            if (cloud is null)
            {
                errors.Add(PoolFields.GpuCloudTypes.Index(i), $"Must be '{Secure}' (the provider's data centres), '{Community}' (vetted third parties) or '{All}'.");
            }
            else if (clouds.Contains(cloud.Value))
            {
                errors.Add(PoolFields.GpuCloudTypes.Index(i), $"'{cloudNames[i]}' is already in the list.");
            }
            else
            {
                clouds.Add(cloud.Value);
            }
        }

        if (input.SpotBid is { } bid && (bid <= 0 || bid > MaxSpotBid || decimal.Round(bid, 3) != bid))
        {
            errors.Add(PoolFields.GpuSpotBid, string.Create(CultureInfo.InvariantCulture, $"Dollars per GPU-hour: above 0, at most {MaxSpotBid}, at most 3 decimals; leave it out for on-demand workers."));
        }

        return errors.Count > before ? null : new PoolGpuSpec([.. types], count, clouds.Count == 0 ? [PodCloudType.Any] : clouds, input.SpotBid);
    }

    /// <summary>The validated disks; null when none were asked for or a rule failed.</summary>
    public static PodStorage? Build(PoolStorageInput? input, FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (input is null || input is { ContainerDiskGb: null, VolumeGb: null, VolumeMountPath: null })
        {
            return null;
        }

        var before = errors.Count;
        if (input.ContainerDiskGb is < 1 or > MaxContainerDiskGb)
        {
            errors.Add(PoolFields.StorageContainerDisk, $"GB of the container's disk: between 1 and {MaxContainerDiskGb}.");
        }

        if (input.VolumeGb is < 0 or > MaxVolumeGb)
        {
            errors.Add(PoolFields.StorageVolume, $"GB of the volume: between 0 (none) and {MaxVolumeGb}.");
        }

        if (input.VolumeMountPath is { } path
            && (!path.StartsWith('/') || path.Length > MaxMountPathLength || path.Any(c => char.IsControl(c) || c is ',' or ':' or ' ')
                || path.Split('/').Any(segment => segment is "." or "..")))
        {
            errors.Add(PoolFields.StorageVolumeMountPath, $"An absolute path (\"/workspace\"), at most {MaxMountPathLength} characters, without '.', '..', spaces, ',' or ':'.");
        }
        else if (input.VolumeMountPath is not null && input.VolumeGb is null or 0)
        {
            errors.Add(PoolFields.StorageVolumeMountPath, "A mount path needs a volume: give storage.volumeGb too.");
        }

        return errors.Count > before ? null : new PodStorage(input.ContainerDiskGb, input.VolumeGb, input.VolumeMountPath);
    }

    /// <summary>
    /// Refuses GPUs or disks the pool's <paramref name="driver"/> cannot give its workers, with the capability error a
    /// driver gives at start (<see cref="DriverCapabilities.EnsureSupports"/>), on the field asked for.
    /// </summary>
    public static void CheckDriver(IPodDriver driver, PoolGpuSpec? gpu, PodStorage? storage, FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(errors);
        var probe = new PodSpec("probe", new Dictionary<string, string>(), null, null, null, new Dictionary<string, string>(), null, new PodResources(1, 1)) { Storage = storage };
        var specs = gpu is null ? [probe] : gpu.Candidates().Select(c => gpu.ApplyTo(probe, c));
        foreach (var spec in specs)
        {
            try
            {
                driver.Capabilities.EnsureSupports(spec, driver.Name);
            }
            catch (PodDriverException ex)
            {
                var missing = spec.RequestedHardware & ~driver.Capabilities.Hardware;
                var field = (missing & (PodHardwareFeatures.ContainerDisk | PodHardwareFeatures.Volume)) == missing ? PoolFields.Storage : PoolFields.Gpu;
                errors.Add(field, ex.Message + ".");
                return;
            }
        }
    }
}
