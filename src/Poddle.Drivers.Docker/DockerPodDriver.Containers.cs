using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>How a container is made from a <see cref="PodSpec"/>: resources, hardening, logging, network, and the user checks.</summary>
public sealed partial class DockerPodDriver
{
    /// <summary>What every container gets, whatever its spec: no capability, no privilege gain through setuid binaries.</summary>
    internal const string NoNewPrivileges = "no-new-privileges:true";

    private const int MaxPasswdBytes = 1024 * 1024;

    /// <summary>Refuses what no container may have, before anything is asked of the engine (the API validates the same).</summary>
    internal static void CheckSecurity(PodSecurity security)
    {
        foreach (var capability in security.AddCapabilities ?? [])
        {
            if (!PodSecurity.AllowedCapabilities.Contains(capability))
            {
                throw new PodDriverException(
                    PodFailureKind.UnsupportedSpec,
                    $"capability '{Shorten(capability)}' cannot be given to a pod; allowed: {string.Join(", ", PodSecurity.AllowedCapabilities.Order(StringComparer.Ordinal))}");
            }
        }

        if (security.User is { } user && (user.Length is 0 or > 256 || user.Any(char.IsControl)))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the pod's user must be 1-256 characters without control characters (uid[:gid] or name[:group])");
        }
    }

    /// <summary>
    /// Who the container's processes run as: the spec's user, else the image's USER, else root. A numeric uid or "root"
    /// is known at once; any other name only from the image's /etc/passwd (<see cref="CheckNamedUserAsync"/>).
    /// </summary>
    internal static ContainerUser UserOf(string? image, string? specUser, string? imageUser)
    {
        var user = !string.IsNullOrEmpty(specUser) ? specUser : imageUser;
        var fromImage = string.IsNullOrEmpty(specUser);
        var name = string.IsNullOrEmpty(user) ? string.Empty : user.Split(':')[0];
        if (name.Length == 0)
        {
            return new ContainerUser(image, user, fromImage, IsRoot: true, Name: null);
        }

        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return new ContainerUser(image, user, fromImage, IsRoot: uid == 0, Name: null);
        }

        return name == "root"
            ? new ContainerUser(image, user, fromImage, IsRoot: true, Name: null)
            : new ContainerUser(image, user, fromImage, IsRoot: false, Name: name);
    }

    /// <summary>The uid of <paramref name="name"/> in an /etc/passwd text; null when it is not there.</summary>
    internal static uint? UidInPasswd(string passwd, string name)
    {
        foreach (var line in passwd.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                return uid;
            }
        }

        return null;
    }

    /// <summary>
    /// The container's whole configuration. Each concern has its own step so that one can change without the others
    /// (per-tenant networks only touch <see cref="ApplyNetwork"/>).
    /// </summary>
    private async Task<CreateContainerParameters> CreateParametersAsync(PodSpec spec, string network, CancellationToken cancellationToken)
    {
        var env = spec.Env.Where(e => e.Key != "PORT").Select(e => $"{e.Key}={e.Value}").ToList();
        if (spec.Port is { } port)
        {
            env.Add($"PORT={port.ToString(CultureInfo.InvariantCulture)}");
        }

        var parameters = new CreateContainerParameters
        {
            Name = ContainerName(spec.Name),
            Image = spec.Image!,
            Env = env,
            Labels = new Dictionary<string, string>(spec.Labels),
            StopTimeout = _options.StopTimeout,
            HostConfig = new HostConfig
            {
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
                Init = await UseInitAsync(cancellationToken),
            },
        };
        if (spec.Command is { Count: > 0 } command)
        {
            // Replaces the image's CMD; its ENTRYPOINT stays (as `docker run IMAGE COMMAND...` does), so wrapper
            // entrypoints that end in exec "$@" keep working.
            parameters.Cmd = [.. command];
        }

        if (spec.Security.User is { } user)
        {
            parameters.User = user;
        }

        ApplyResources(parameters.HostConfig, spec.Resources);
        ApplyGpus(parameters.HostConfig, spec.Gpu);
        ApplyHardening(parameters.HostConfig, spec.Security);
        ApplyLogging(parameters.HostConfig);
        ApplyNetwork(parameters, network, spec.Port);
        return parameters;
    }

    private static void ApplyResources(HostConfig host, PodResources resources)
    {
        var memory = resources.MemoryMb > 0 ? resources.MemoryMb * 1024L * 1024L : 0;

        // Memory and memory+swap equal: no swap, so going over the limit is an OOM kill (State.OOMKilled).
        host.Memory = memory;
        host.MemorySwap = memory;
        host.NanoCPUs = resources.CpuMillicores > 0 ? resources.CpuMillicores * 1_000_000L : 0;
    }

    /// <summary>
    /// The design's container rules: every capability dropped (the spec may add back allow-listed ones), no privilege
    /// gain (setuid binaries, file capabilities), a pids limit against fork bombs, and a read-only root with a small
    /// writable /tmp when asked. Not noexec on /tmp: runtimes load native code they unpack there (JNA, Python wheels).
    /// </summary>
    private void ApplyHardening(HostConfig host, PodSecurity security)
    {
        host.CapDrop = ["ALL"];
        if (security.AddCapabilities is { Count: > 0 } add)
        {
            host.CapAdd = [.. add];
        }

        host.SecurityOpt = [NoNewPrivileges];
        host.PidsLimit = _options.PidsLimit;
        if (security.ReadOnlyRootFilesystem)
        {
            host.ReadonlyRootfs = true;
            host.Tmpfs = new Dictionary<string, string>
            {
                ["/tmp"] = string.Create(CultureInfo.InvariantCulture, $"rw,nosuid,nodev,size={_options.TmpfsSizeMb}m,mode=1777"),
            };
        }
    }

    /// <summary>json-file with rotation: a pod's output is capped at max-size × max-file; `docker logs` (and so the driver) reads the rotated files too.</summary>
    private void ApplyLogging(HostConfig host) => host.LogConfig = new LogConfig
    {
        Type = "json-file",
        Config = new Dictionary<string, string>
        {
            ["max-size"] = string.Create(CultureInfo.InvariantCulture, $"{_options.LogMaxSizeMb}m"),
            ["max-file"] = _options.LogMaxFiles.ToString(CultureInfo.InvariantCulture),
        },
    };

    /// <summary>
    /// The network the container joins (its owner's, or <see cref="DockerDriverOptions.Network"/>) and how its port is
    /// reached (<see cref="DockerEndpointMode"/>).
    /// </summary>
    private void ApplyNetwork(CreateContainerParameters parameters, string network, int? port)
    {
        var host = parameters.HostConfig!;
        host.NetworkMode = network;
        if (port is not { } containerPort)
        {
            return;
        }

        var key = $"{containerPort.ToString(CultureInfo.InvariantCulture)}/tcp";
        parameters.ExposedPorts = new Dictionary<string, EmptyStruct> { [key] = default };
        if (_options.EndpointMode == DockerEndpointMode.PublishedPort)
        {
            // An empty host port asks the engine for an ephemeral one, read back by InspectAsync.
            host.PortBindings = new Dictionary<string, IList<PortBinding>>
            {
                [key] = [new PortBinding { HostIP = _options.PublishAddress, HostPort = string.Empty }],
            };
        }
    }

    /// <summary>runAsNonRoot with a user name: its uid from the created (not yet started) container's /etc/passwd.</summary>
    private async Task CheckNamedUserAsync(string containerId, ContainerUser user, CancellationToken cancellationToken)
    {
        var passwd = await ReadPasswdAsync(containerId, cancellationToken);
        var uid = passwd is null ? null : UidInPasswd(passwd, user.Name!);
        if (uid is null)
        {
            throw new PodDriverException(
                PodFailureKind.UnsupportedSpec,
                $"runAsNonRoot: the user '{Shorten(user.Name!)}' is not in the image's /etc/passwd, so it cannot be checked to be non-root; give the deployment a numeric security.user (e.g. \"65534\")");
        }

        if (uid == 0)
        {
            throw RunsAsRoot(user with { IsRoot = true });
        }
    }

    private async Task<string?> ReadPasswdAsync(string containerId, CancellationToken cancellationToken)
    {
        ContainerArchiveResponse archive;
        try
        {
            archive = await _client.Containers.GetArchiveFromContainerAsync(containerId, new ContainerPathStatParameters { Path = "/etc/passwd" }, false, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        if (archive.Stream is not { } stream)
        {
            return null;
        }

        await using var owned = stream;
        await using var tar = new TarReader(owned);
        var entry = await tar.GetNextEntryAsync(copyData: false, cancellationToken);
        if (entry?.DataStream is not { } data || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Length > MaxPasswdBytes)
        {
            return null;
        }

        using var reader = new StreamReader(data, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static PodDriverException RunsAsRoot(ContainerUser user)
    {
        var who = user.FromImage
            ? string.IsNullOrEmpty(user.User) ? $"image {user.Image} runs as root (it sets no USER)" : $"image {user.Image} runs as root (USER {Shorten(user.User)})"
            : $"the user '{Shorten(user.User!)}' is root";
        return new PodDriverException(
            PodFailureKind.UnsupportedSpec,
            $"runAsNonRoot: {who}; give the deployment a non-root security.user (e.g. \"65534\" or \"1000:1000\") or use an image that runs as a non-root user");
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private string ContainerName(string specName)
    {
        // Docker names are [a-zA-Z0-9][a-zA-Z0-9_.-]*; the random suffix keeps a replacement's name free while the
        // old container still exists. No '.': it marks a container kept for its logs (IsKeptPrevious).
        var cleaned = new string(specName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-', '_');
        if (cleaned.Length > 48)
        {
            cleaned = cleaned[..48];
        }

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var name = $"{_options.NamePrefix}{(cleaned.Length > 0 ? cleaned + "-" : string.Empty)}{suffix}";
        return char.IsAsciiLetterOrDigit(name[0]) ? name : "p" + name;
    }

    private async Task<bool> UseInitAsync(CancellationToken cancellationToken)
    {
        if (_useInit is { } known)
        {
            return known;
        }

        await _initLock.WaitAsync(cancellationToken);
        try
        {
            if (_useInit is null)
            {
                // The engine lists docker-init among its components only when it found the binary.
                var version = await _client.System.GetVersionAsync(cancellationToken);
                _useInit = version.Components?.Any(c => c.Name == "docker-init") ?? false;
            }

            return _useInit.Value;
        }
        finally
        {
            _initLock.Release();
        }
    }
}
