namespace Poddle.Cli.Commands.Hosting;

/// <summary>The cgroup hierarchy: v1 or v2 (null when neither is mounted), and whether the sandbox can create cgroups in it.</summary>
internal sealed record CgroupsReport(string? Version, bool Writable);
