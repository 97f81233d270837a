using System.CommandLine;
using Poddle.Cli.Fleet;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods create [--file pod.toml] [flags]`: a pod from a template; flags win over the file.</summary>
internal sealed class CreatePodCommand : CliCommand
{
    private readonly Option<string?> _file = new("--file", "-f") { Description = "A pod template file (TOML, the API's field names)" };
    private readonly Option<string?> _driver = new("--driver", "-d") { Description = "The driver (default runpod)" };
    private readonly Option<string?> _name = new("--name") { Description = "A name for people (lower-case letters, digits, hyphens)" };
    private readonly Option<string?> _image = new("--image") { Description = "The image to run" };
    private readonly Option<string?> _gpuType = new("--gpu-type") { Description = "The GPU type (\"NVIDIA GeForce RTX 4090\")" };
    private readonly Option<int?> _gpuCount = new("--gpu-count") { Description = "GPUs (1 to 8)" };
    private readonly Option<int?> _containerDisk = new("--container-disk") { Description = "Container disk in GB" };
    private readonly Option<int?> _volume = new("--volume") { Description = "Volume in GB" };
    private readonly Option<string?> _volumePath = new("--volume-path") { Description = "Where the volume is mounted (/workspace)" };
    private readonly Option<string[]> _ports = new("--port", "-p") { Description = "A port to expose: 8888/http or 22/tcp (repeat for more)" };
    private readonly Option<string[]> _env = new("--env", "-e") { Description = "KEY=VALUE (repeat for more)" };
    private readonly Option<string?> _cloud = new("--cloud") { Description = "secure, community or any" };
    private readonly Option<decimal?> _spotBid = new("--spot-bid") { Description = "A spot pod at this bid, dollars per GPU per hour" };

    public CreatePodCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Rent or start a pod from flags or a pod template file", environment, globals)
    {
        foreach (var option in new Option[] { _file, _driver, _name, _image, _gpuType, _gpuCount, _containerDisk, _volume, _volumePath, _ports, _env, _cloud, _spotBid })
        {
            Options.Add(option);
        }
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(_file) is { } path
            ? PodTemplateFile.Read(Path.GetFullPath(path, context.Environment.WorkingDirectory))
            : new CreatePodRequest(null, null, null);
        var ports = parse.GetValue(_ports) is { Length: > 0 } given ? given : null;
        var env = file.Env is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(file.Env, StringComparer.Ordinal);
        foreach (var pair in parse.GetValue(_env) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"--env takes KEY=VALUE, not '{pair}'.");
            }

            env[pair[..equals]] = pair[(equals + 1)..];
        }

        var request = new CreatePodRequest(
            parse.GetValue(_driver) ?? file.Driver ?? FleetCommand.DefaultDriver,
            parse.GetValue(_name) ?? file.Name,
            parse.GetValue(_image) ?? file.Image,
            parse.GetValue(_gpuType) ?? file.GpuType,
            parse.GetValue(_gpuCount) ?? file.GpuCount,
            parse.GetValue(_containerDisk) ?? file.ContainerDiskGb,
            parse.GetValue(_volume) ?? file.VolumeGb,
            parse.GetValue(_volumePath) ?? file.VolumeMountPath,
            ports ?? file.Ports,
            env.Count > 0 ? env : null,
            parse.GetValue(_cloud) ?? file.CloudType,
            parse.GetValue(_spotBid) ?? file.SpotBid);
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw CliException.Usage("Name the image with --image or in the template file (image = \"...\").");
        }

        var pod = await context.Authenticated().CreatePodAsync(request, cancellationToken);
        context.Output.Result(pod, PoddleJsonContext.Default.PodResponse, $"Created pod {pod.Id} at {pod.Driver}: {pod.Status}. Watch it with `poddle pods monitor --driver {pod.Driver}`.");
        return ExitCode.Ok;
    }
}
