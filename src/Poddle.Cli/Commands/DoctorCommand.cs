using System.CommandLine;
using System.Globalization;
using System.Runtime.Versioning;
using Poddle.Cli.Configuration;
using Poddle.Cli.Output;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Languages;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>`poddle doctor --json`: the sandbox's readiness on this machine.</summary>
internal sealed record DoctorReport(
    string Isolation,
    string Summary,
    string? Reason,
    bool Root,
    BubblewrapReport Bubblewrap,
    UserNamespacesReport UserNamespaces,
    CgroupsReport Cgroups,
    IReadOnlyList<HostToolchain> Toolchains);

/// <summary>bubblewrap: where it is expected, whether it is there, and its version.</summary>
internal sealed record BubblewrapReport(string Path, bool Found, string? Version);

/// <summary>/proc/sys/user/max_user_namespaces and, on kernels that have it, /proc/sys/kernel/unprivileged_userns_clone.</summary>
internal sealed record UserNamespacesReport(bool Allowed, long? MaxUserNamespaces, int? UnprivilegedUsernsClone);

/// <summary>The cgroup hierarchy: v1 or v2 (null when neither is mounted), and whether the sandbox can create cgroups in it.</summary>
internal sealed record CgroupsReport(string? Version, bool Writable);

/// <summary>`poddle doctor`: what isolation the sandbox gets on this machine, without a server.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("doctor", "Check this machine for the sandbox: bubblewrap, user namespaces, cgroups, root, toolchains (exit 0 only with full isolation)");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                throw new CliException("The sandbox runs on Linux only; this machine cannot run code.");
            }

            var report = await InspectAsync(new SandboxOptions(), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(report, CliJsonContext.Default.DoctorReport);
            }
            else
            {
                Print(context.Output, report);
            }

            return report.Isolation == "full" ? ExitCode.Ok : ExitCode.Error;
        });
        return command;
    }

    [SupportedOSPlatform("linux")]
    public static async Task<DoctorReport> InspectAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        var (isolation, _) = SandboxRunner.Detect(options);
        var bwrapFound = File.Exists(options.BwrapPath);
        var bubblewrap = new BubblewrapReport(options.BwrapPath, bwrapFound, bwrapFound ? await HostToolchains.VersionOfAsync(options.BwrapPath, ["--version"], cancellationToken) : null);

        var maxNamespaces = ReadNumber("/proc/sys/user/max_user_namespaces");
        var unprivilegedClone = (int?)ReadNumber("/proc/sys/kernel/unprivileged_userns_clone");
        var namespaces = new UserNamespacesReport(maxNamespaces is null or > 0 && unprivilegedClone is null or 1, maxNamespaces, unprivilegedClone);

        var cgroupVersion = isolation.CgroupVersion
            ?? (File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "v2" : Directory.Exists("/sys/fs/cgroup/memory") ? "v1" : null);
        var cgroups = new CgroupsReport(cgroupVersion, isolation.Level == IsolationLevel.Full);

        var level = isolation.Level.ToString().ToLowerInvariant();
        var reason = isolation.Reason;
        if (isolation.Level != IsolationLevel.Unavailable && !namespaces.Allowed)
        {
            level = "reduced";
            reason = "user namespaces are not allowed (max_user_namespaces or unprivileged_userns_clone is 0)" + (reason is null ? "" : "; " + reason);
        }

        var summary = level == "full" ? $"full isolation (cgroup {cgroupVersion})" : $"{level} isolation: {reason}";
        return new DoctorReport(level, summary, reason, Environment.IsPrivilegedProcess, bubblewrap, namespaces, cgroups, await HostToolchains.ProbeAsync(cancellationToken));
    }

    [SupportedOSPlatform("linux")]
    private static void Print(CliOutput output, DoctorReport report)
    {
        string Mark(bool ok) => ok ? "[green]ok[/]" : "[yellow]no[/]";
        var console = output.Out;
        console.MarkupLine($"bubblewrap       {Mark(report.Bubblewrap.Found)}  {Markup.Escape(report.Bubblewrap.Found ? $"{report.Bubblewrap.Path} {report.Bubblewrap.Version}" : $"{report.Bubblewrap.Path} missing (apt-get install bubblewrap)")}");
        console.MarkupLine($"user namespaces  {Mark(report.UserNamespaces.Allowed)}  {Markup.Escape($"max_user_namespaces={Show(report.UserNamespaces.MaxUserNamespaces)}, unprivileged_userns_clone={Show(report.UserNamespaces.UnprivilegedUsernsClone)}")}");
        console.MarkupLine($"cgroups          {Mark(report.Cgroups.Writable)}  {Markup.Escape((report.Cgroups.Version ?? "not mounted") + (report.Cgroups.Writable ? ", writable" : ", not writable"))}");
        console.MarkupLine($"root             {Mark(report.Root)}  {(report.Root ? "yes" : "no (cgroup limits need root)")}");
        foreach (var tool in report.Toolchains)
        {
            console.MarkupLine($"{Markup.Escape(tool.Command),-17}{Mark(tool.Path is not null)}  {Markup.Escape(tool.Path is null ? "not found" : $"{tool.Path} {tool.Version}")}");
        }

        console.WriteLine();
        console.MarkupLine(report.Isolation == "full" ? $"[green]{Markup.Escape(report.Summary)}[/]" : $"[yellow]{Markup.Escape(report.Summary)}[/]");
    }

    private static string Show(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "absent";

    private static long? ReadNumber(string path)
    {
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
