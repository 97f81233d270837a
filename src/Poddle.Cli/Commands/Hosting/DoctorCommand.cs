using System.CommandLine;
using System.Globalization;
using System.Runtime.Versioning;
using Poddle.Cli.Configuration;
using Poddle.Cli.Output;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Languages;
using Poddle.Drivers.Sandbox.Pods;
using Poddle.Server.Hosting;
using Spectre.Console;

namespace Poddle.Cli.Commands.Hosting;

/// <summary>`poddle doctor`: what isolation the sandbox gets on this machine, without a server.</summary>
internal sealed class DoctorCommand : CliCommand
{
    private readonly Option<string?> _dataDir = new("--data-dir") { Description = "The server's data directory, as `poddle serve` takes it (default: $PODDLE_DATA_DIR, then ./data)" };
    private readonly Option<string?> _config = new("--config") { Description = "The server's JSON config file (default: $PODDLE_CONFIG, then <data-dir>/poddle.json when present)" };

    public DoctorCommand(CliEnvironment environment, GlobalOptions globals)
        : base(
            "doctor",
            "Check this machine for the sandbox as `poddle serve` would run it: bubblewrap, user namespaces, cgroups, root, a test pod, every language (exit 0 only with full isolation and pods that start)",
            environment,
            globals)
    {
        Options.Add(_dataDir);
        Options.Add(_config);
    }

    /// <summary>
    /// Inspects the sandbox with the server's settings, through the server's own code: the runner's isolation (tools,
    /// cgroups, runtime directory, seccomp, work root), the executor's language discovery (a hello world of each in the
    /// sandbox), and the pod driver's self-test with the data directory.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static async Task<DoctorReport> InspectAsync(SandboxSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Execution.Sandbox;
        var isolation = new SandboxRunner(options).Isolation;
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
        return new DoctorReport(
            level, summary, reason, Environment.IsPrivilegedProcess, bubblewrap, namespaces, cgroups,
            await CheckPodsAsync(settings, cancellationToken), await LanguagesAsync(settings.Execution, cancellationToken));
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new CliException("The sandbox runs on Linux only; this machine cannot run code.");
        }

        SandboxSettings settings;
        try
        {
            settings = SandboxSettings.Read(new ServerStartOptions { DataDir = parse.GetValue(_dataDir), ConfigFile = parse.GetValue(_config) });
        }
        catch (StartupConfigurationException ex)
        {
            throw new CliException("poddle doctor: configuration error: " + ex.Message);
        }

        var report = await InspectAsync(settings, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(report, CliJsonContext.Default.DoctorReport);
        }
        else
        {
            Print(context.Output, report);
        }

        return report.Isolation == "full" && report.Pods.Ok ? ExitCode.Ok : ExitCode.Error;
    }

    /// <summary>The server's verdict on each language: the executor's own discovery, without a warm pool.</summary>
    [SupportedOSPlatform("linux")]
    private static async Task<IReadOnlyList<LanguageVerdict>> LanguagesAsync(SandboxExecutionOptions execution, CancellationToken cancellationToken)
    {
        execution.WarmPool.Enabled = false;
        await using var executor = new SandboxCodeExecutor(execution);
        await executor.InitializeAsync(cancellationToken);
        return executor.Languages;
    }

    /// <summary>The pod driver's self-test (what /readyz reports), once the data directory exists; doctor never creates it.</summary>
    [SupportedOSPlatform("linux")]
    private static async Task<PodsReport> CheckPodsAsync(SandboxSettings settings, CancellationToken cancellationToken)
    {
        var state = settings.Pods.StateDirectory;
        if (!Directory.Exists(settings.DataDir))
        {
            return new PodsReport(false, true, state, $"not checked: {settings.DataDir} does not exist yet (`poddle serve` creates it)");
        }

        await using var driver = new SandboxPodDriver(settings.Execution.Sandbox, settings.Pods);
        var health = await driver.CheckHealthAsync(cancellationToken);
        return new PodsReport(true, health.Available, state, health.Detail);
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
        console.MarkupLine($"pods             {(report.Pods.Checked ? Mark(report.Pods.Ok) : "[grey]--[/]")}  {Markup.Escape(report.Pods.Detail)}");
        foreach (var language in report.Toolchains)
        {
            var found = language.Path is null ? string.Empty : $"{language.Path} {language.Version}".TrimEnd();
            var detail = language.Offered ? found : found.Length == 0 ? language.Reason : $"{found}: {language.Reason}";
            console.MarkupLine($"{Markup.Escape(language.Command),-17}{Mark(language.Offered)}  {Markup.Escape(detail ?? string.Empty)}");
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
