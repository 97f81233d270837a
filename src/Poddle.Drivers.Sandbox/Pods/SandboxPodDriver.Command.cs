using System.Globalization;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox.Cgroups;
using Poddle.Drivers.Sandbox.Isolation;

namespace Poddle.Drivers.Sandbox.Pods;

// What a pod runs and how: the spec's checks, and the pod as SandboxCommandBuilder (the one builder of the sandbox's
// isolation, shared with code runs) sees it; the environment travels on fd 3, never on a command line.
public sealed partial class SandboxPodDriver
{
    private static void Validate(PodSpec spec)
    {
        if (spec.Image is not null)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver runs commands, not container images: use the docker driver for an image");
        }

        if (spec.Command is not { Count: > 0 } || string.IsNullOrEmpty(spec.Command[0]))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver needs a command");
        }

        if (spec.Command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the command must not contain NUL characters");
        }

        if (spec.Security.User is not null || spec.Security.AddCapabilities is { Count: > 0 })
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver runs every pod as its own unprivileged user without capabilities: a chosen user or added capabilities need the docker driver");
        }

        if (spec.SourceDirectory is { } source && !Directory.Exists(source))
        {
            throw new PodDriverException(PodFailureKind.Other, $"the source directory {source} does not exist");
        }

        foreach (var (name, value) in spec.Env)
        {
            // The value is never named: it may be a secret.
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"environment variable '{name.Replace("\0", string.Empty, StringComparison.Ordinal)}' cannot be passed (empty name, '=' in the name or NUL)");
            }
        }
    }

    private static List<string> HiddenArguments(PodSpec spec, int? port)
    {
        var environment = new Dictionary<string, string>(SandboxRunner.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in spec.Env)
        {
            environment[name] = value;
        }

        if (port is { } p)
        {
            environment["PORT"] = p.ToString(CultureInfo.InvariantCulture);
        }

        var args = new List<string>();
        foreach (var (name, value) in environment)
        {
            args.AddRange(["--setenv", name, value]);
        }

        return args;
    }

    private IReadOnlyList<string> BuildCommand(PodSpec spec, string podId, CgroupRun? cgroup, int memoryMb) =>
        _commands!.Build(PodLaunch(
            spec.Command!, podId + "/app", Hostname(spec.Name), cgroup, memoryMb,
            IsolatesNetworks ? SandboxNetwork.Namespace(_networks.NamespacePath(podId)) : SandboxNetwork.Host));

    /// <summary>
    /// A pod as the command builder sees it: the shared rules of every sandbox, with the pod's differences: a writable
    /// /app, the host's network with what a networked app needs of /etc, an executable /tmp, its own limits and
    /// hostname, and the environment (secrets included) from fd 3 (<c>--args 3</c>), never from a command line anyone
    /// can read in /proc. The chain dies with the pod's supervisor (which writes its exit status), never with the server.
    /// </summary>
    private SandboxLaunch PodLaunch(
        IReadOnlyList<string> command, string appRelativePath, string hostname, CgroupRun? cgroup, int memoryMb, SandboxNetwork network) => new()
    {
        Name = "poddle-pod",
        Command = command,
        WorkDirectory = new SandboxWorkDirectory(_options.StateDirectory, appRelativePath, AppDirectory, Writable: true),
        Network = network,
        Hostname = hostname,
        TmpfsMb = _options.TmpfsMb,
        // The app may write and run anything in /app anyway; a noexec /tmp would only break runtimes that unpack native
        // libraries there (the JVM's, for one).
        TmpExecutable = true,
        HostFiles = NetworkFiles(),
        Cgroup = cgroup,
        FileSizeBytes = _options.FileSizeBytes,
        OpenFiles = _options.OpenFiles,
        // Reduced isolation: no cgroup, so the address-space rlimit stands in for the memory limit (per process), and
        // there is no CPU limit at all (RLIMIT_CPU would kill a long-running server).
        AddressSpaceBytes = cgroup is null ? (long)memoryMb * 1024 * 1024 : null,
        ArgumentsFd = 3,
    };

    /// <summary><see cref="SandboxPodOptions.NetworkPaths"/> that exist, bound by content: a symlink (resolv.conf under systemd-resolved) would point nowhere inside.</summary>
    private List<SandboxBindMount> NetworkFiles()
    {
        var files = new List<SandboxBindMount>();
        foreach (var path in _options.NetworkPaths)
        {
            var resolved = File.Exists(path) || Directory.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path : null;
            if (resolved is not null && (File.Exists(resolved) || Directory.Exists(resolved)))
            {
                files.Add(new SandboxBindMount(resolved, path));
            }
        }

        return files;
    }

    private static string Hostname(string name)
    {
        var chars = name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(63).ToArray();
        var host = new string(chars).Trim('-');
        return host.Length == 0 ? "pod" : host;
    }
}
