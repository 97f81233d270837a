using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// What this host gives sandboxes, decided once per runner or pod driver: the isolation level, the cgroup controller,
/// and the command builder (with its runtime directory and seccomp filter). Code runs and pods open it the same way.
/// </summary>
internal sealed class SandboxHost
{
    private SandboxHost(SandboxIsolation isolation, CgroupController? cgroups, SandboxCommandBuilder? commands)
    {
        Isolation = isolation;
        Cgroups = cgroups;
        Commands = commands;
    }

    public SandboxIsolation Isolation { get; }

    public CgroupController? Cgroups { get; }

    /// <summary>Null when the isolation is unavailable (nothing can run).</summary>
    public SandboxCommandBuilder? Commands { get; }

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Detects the isolation (tools, cgroups), then prepares the runtime directory and the seccomp filter.</summary>
    public static SandboxHost Open(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (isolation, cgroups) = Detect(options);
        if (isolation.Level == IsolationLevel.Unavailable)
        {
            return new SandboxHost(isolation, null, null);
        }

        try
        {
            var runtime = SandboxRuntimeDirectory.Prepare(options, IsRoot);
            return new SandboxHost(isolation, cgroups, new SandboxCommandBuilder(options, runtime, IsRoot));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return new SandboxHost(Unavailable($"libseccomp is missing ({ex.Message}; apt-get install libseccomp2)"), null, null);
        }
        catch (InvalidOperationException ex)
        {
            return new SandboxHost(Unavailable(ex.Message), null, null);
        }
    }

    /// <summary>Detects the isolation this host allows: bubblewrap and the chain's tools, then a writable cgroup hierarchy.</summary>
    public static (SandboxIsolation Isolation, CgroupController? Controller) Detect(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tools = new List<string> { options.BwrapPath, "/bin/sh", "/usr/bin/prlimit", "/usr/bin/setpriv" };
        if (IsRoot)
        {
            tools.Add("/usr/bin/unshare");
            tools.Add("/usr/bin/mount");
        }

        var missing = tools.Where(t => !File.Exists(t)).ToArray();
        if (missing.Length > 0)
        {
            return (Unavailable($"missing {string.Join(", ", missing)} (apt-get install bubblewrap util-linux mount)"), null);
        }

        if (!options.UseCgroups)
        {
            return (new SandboxIsolation(IsolationLevel.Reduced, null, "cgroups are turned off (Sandbox:UseCgroups=false); rlimits only"), null);
        }

        var detection = CgroupController.Detect(options.CgroupParent);
        return detection.Controller is { } controller
            ? (new SandboxIsolation(IsolationLevel.Full, controller.Version, null), controller)
            : (new SandboxIsolation(IsolationLevel.Reduced, null, $"no writable cgroups ({detection.Reason}); rlimits only"), null);
    }

    private static SandboxIsolation Unavailable(string reason) => new(IsolationLevel.Unavailable, null, reason);
}
