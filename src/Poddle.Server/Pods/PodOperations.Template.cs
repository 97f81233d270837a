using System.Globalization;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Server.Pods;

// A pod template (POST /api/pods, `poddle pods create`) as a PodSpec: every field checked and named, and the hardware
// fields the driver does not support (DriverCapabilities.Hardware) refused by name before anything is rented.
public sealed partial class PodOperations
{
    private const int MaxNameLength = 63;
    private const int MaxGpus = 8;
    private const int MaxDiskGb = 2000;
    private const int MaxPorts = 20;
    private const int MaxEnv = 100;
    private const int MaxEnvValueLength = 32 * 1024;
    private const decimal MaxBid = 100m;

    private static readonly (PodHardwareFeatures Feature, string Field)[] FeatureFields =
    [
        (PodHardwareFeatures.Gpu, "gpuCount"),
        (PodHardwareFeatures.GpuType, "gpuType"),
        (PodHardwareFeatures.ContainerDisk, "containerDiskGb"),
        (PodHardwareFeatures.Volume, "volumeGb"),
        (PodHardwareFeatures.Ports, "ports"),
        (PodHardwareFeatures.CloudType, "cloudType"),
        (PodHardwareFeatures.Spot, "spotBid"),
    ];

    private static Result<PodSpec> ToSpec(Guid caller, CreatePodRequest request, IPodDriver? driver)
    {
        var errors = new FieldErrors();
        if (driver is null)
        {
            var unknown = UnknownDriver(request.Driver);
            errors.Add(FieldPath.Of("driver"), unknown.Fields!["driver"][0]);
        }

        var name = request.Name ?? "pod";
        if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || name[0] == '-' || name[^1] == '-')
        {
            errors.Add(FieldPath.Of("name"), $"Use 1 to {MaxNameLength} lower-case letters, digits and inner hyphens.");
        }

        if (string.IsNullOrWhiteSpace(request.Image) || request.Image.Length > 512 || request.Image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(FieldPath.Of("image"), "Name the image to run (at most 512 characters, no spaces).");
        }

        if (request.GpuCount is < 1 or > MaxGpus)
        {
            errors.Add(FieldPath.Of("gpuCount"), $"Use 1 to {MaxGpus} GPUs.");
        }

        if (request.GpuType is { } gpuType && (gpuType.Length is 0 or > 100 || gpuType.Any(char.IsControl)))
        {
            errors.Add(FieldPath.Of("gpuType"), "Name a GPU type of the driver (\"NVIDIA GeForce RTX 4090\"), at most 100 characters.");
        }

        if (request.ContainerDiskGb is < 1 or > MaxDiskGb)
        {
            errors.Add(FieldPath.Of("containerDiskGb"), $"Use 1 to {MaxDiskGb} GB.");
        }

        if (request.VolumeGb is < 0 or > MaxDiskGb)
        {
            errors.Add(FieldPath.Of("volumeGb"), $"Use 0 to {MaxDiskGb} GB.");
        }

        if (request.VolumeMountPath is { } mount && (!mount.StartsWith('/') || mount.Length > 255 || mount.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add(FieldPath.Of("volumeMountPath"), "Use an absolute path such as /workspace.");
        }

        var ports = new List<PodPortMapping>();
        if (request.Ports is { Count: > MaxPorts })
        {
            errors.Add(FieldPath.Of("ports"), $"Expose at most {MaxPorts} ports.");
        }
        else
        {
            for (var i = 0; i < (request.Ports?.Count ?? 0); i++)
            {
                if (ParsePort(request.Ports![i]) is { } port)
                {
                    ports.Add(port);
                }
                else
                {
                    errors.Add(FieldPath.Of("ports").Index(i), "Use PORT/http or PORT/tcp, PORT from 1 to 65535.");
                }
            }
        }

        var env = request.Env ?? new Dictionary<string, string>();
        if (env.Count > MaxEnv)
        {
            errors.Add(FieldPath.Of("env"), $"Set at most {MaxEnv} variables.");
        }

        foreach (var (key, value) in env.Take(MaxEnv))
        {
            if (key.Length is 0 or > 128 || !(char.IsAsciiLetter(key[0]) || key[0] == '_') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || key.StartsWith("PODDLE_", StringComparison.Ordinal))
            {
                errors.Add(FieldPath.Of("env").Key(key.Length > 128 ? key[..128] : key), "Use letters, digits and underscores, not starting with a digit or PODDLE_.");
            }
            else if (value is null || value.Length > MaxEnvValueLength)
            {
                errors.Add(FieldPath.Of("env").Key(key), $"Give a value of at most {MaxEnvValueLength} characters.");
            }
        }

        var cloud = request.CloudType switch
        {
            null or PodCloudTypes.Any => PodCloudType.Any,
            PodCloudTypes.Secure => PodCloudType.Secure,
            PodCloudTypes.Community => PodCloudType.Community,
            _ => (PodCloudType?)null,
        };
        if (cloud is null)
        {
            errors.Add(FieldPath.Of("cloudType"), $"Use {PodCloudTypes.Secure}, {PodCloudTypes.Community} or {PodCloudTypes.Any}.");
        }

        if (request.SpotBid is <= 0 or > MaxBid)
        {
            errors.Add(FieldPath.Of("spotBid"), $"Bid more than 0 and at most {MaxBid.ToString(CultureInfo.InvariantCulture)} dollars per GPU per hour.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var gpuCount = request.GpuCount ?? (request.GpuType is null ? 0 : 1);
        var spec = new PodSpec(
            name,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [PodLabels.Owner] = caller.ToString(),
                [PodLabels.Kind] = OperatorKind,
                [PodLabels.Id] = Guid.NewGuid().ToString("N"),
            },
            request.Image,
            null,
            null,
            env,
            null,
            new PodResources(1000, 1024))
        {
            Gpu = gpuCount > 0 ? new PodGpu(gpuCount, request.GpuType) : null,
            Storage = request.ContainerDiskGb is null && request.VolumeGb is null && request.VolumeMountPath is null
                ? null
                : new PodStorage(request.ContainerDiskGb, request.VolumeGb, request.VolumeMountPath),
            Ports = ports,
            Placement = new PodPlacement(cloud!.Value, request.SpotBid),
        };

        var refused = spec.RequestedHardware & ~driver!.Capabilities.Hardware;
        foreach (var (_, field) in FeatureFields.Where(f => refused.HasFlag(f.Feature)))
        {
            errors.Add(FieldPath.Of(field), $"The {driver.Name} driver does not support this.");
        }

        return errors.IsEmpty ? spec : errors.ToError();
    }

    private static PodPortMapping? ParsePort(string? text)
    {
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return null;
        }

        return text![(slash + 1)..] switch
        {
            PodPortMapping.Http => new PodPortMapping(port, PodPortMapping.Http),
            PodPortMapping.Tcp => new PodPortMapping(port, PodPortMapping.Tcp),
            _ => null,
        };
    }
}
