using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// Builds the command line every sandbox starts with, code runs and pods alike: the one place where the isolation is
/// decided (DESIGN.md, lesson 7). What differs between sandboxes is a <see cref="SandboxLaunch"/>. As root:
/// <code>
/// [nsenter --net=PATH]                                  only for SandboxNetwork.Namespace
/// setpriv --pdeathsig KILL                              the chain dies with whoever started it
/// unshare --pid --fork --kill-child --mount --propagation private
/// sh -c WRAPPER NAME cgroup.procs... --                 joins the cgroup, mounts the staging area, opens the filter
/// setpriv --reuid=U --regid=G --clear-groups            an unprivileged host uid before bwrap
/// prlimit --fsize --nofile --core=0 [--cpu --as] --
/// bwrap --unshare-all [--share-net] ... --seccomp 4 ... -- COMMAND
/// </code>
/// Without root: setpriv --pdeathsig, the wrapper (cgroup join, filter), prlimit and bwrap with its own tmpfs mounts.
/// </summary>
internal sealed class SandboxCommandBuilder(SandboxOptions options, SandboxRuntimeDirectory runtime, bool root)
{
    /// <summary>The descriptor the wrapper opens the seccomp filter on, and bwrap reads it from (and closes).</summary>
    public const int SeccompDescriptor = 4;

    /// <summary>The wrapper's exit status for a failure of its own (cgroup, mounts, filter): an internal error, not the program's.</summary>
    public const int WrapperFailure = 125;

    // The wrapper writes its own pid ($$) into every cgroup.procs file given before "--", then execs the rest. The pid
    // keeps its cgroups across exec and every process forks from it, so nothing of the sandbox ever executes outside the
    // cgroup: no race between spawn and join, and no untrusted code has run yet when the join happens.
    private const string JoinCgroups =
        "n=0; for f do n=$((n+1)); [ \"$f\" = -- ] && break; " +
        "echo $$ > \"$f\" || { echo \"$0: cannot join cgroup $f\" >&2; exit 125; }; done; shift $n; ";

    /// <summary>Whether the chain runs as root: a private mount namespace, staged mounts and the uid drop.</summary>
    public bool Root => root;

    public SandboxRuntimeDirectory Runtime => runtime;

    /// <summary>argv of the whole chain; the first element is the program to start.</summary>
    public IReadOnlyList<string> Build(SandboxLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var args = new List<string>();
        if (launch.Network.NamespacePath is { } netns)
        {
            args.AddRange(["/usr/bin/nsenter", "--net=" + netns]);
        }

        // Parent-death signal: a code run dies with the server (its spawner thread), a pod with its supervisor. Without
        // it a run in progress when the server is killed would go on unsupervised, with no CPU or wall limit.
        args.AddRange(["/usr/bin/setpriv", "--pdeathsig", "KILL"]);
        if (root)
        {
            // bwrap returns as soon as its init reports the command's exit, while the init is still killing the rest of
            // the namespace: the init would be orphaned, and a zombie of the host's pid 1 until that reaps it. A pid
            // namespace of our own, with bwrap as its init, keeps every process inside: when bwrap exits the kernel kills
            // and reaps them all (see SandboxInit). unshare stays outside the cgroup, so a cgroup sweep never kills it
            // before bwrap. Its private mount namespace holds the staging mounts (see MountTable), invisible to the host.
            args.AddRange(["/usr/bin/unshare", "--pid", "--fork", "--kill-child", "--mount", "--propagation", "private"]);
        }

        args.AddRange(["/bin/sh", "-c", WrapperScript(launch), launch.Name]);
        args.AddRange(launch.Cgroup?.ProcsFiles ?? []);
        args.Add("--");
        if (root)
        {
            // bwrap run by root would map the sandbox's uid onto host root, whose files (0600 root-owned) it could read:
            // drop to an unprivileged host uid first, so bwrap builds an unprivileged user namespace.
            args.AddRange(["/usr/bin/setpriv", "--reuid=" + Invariant(options.SandboxUid), "--regid=" + Invariant(options.SandboxGid), "--clear-groups"]);
        }

        // rlimits are inherited through bwrap to the command; they apply to every process of the sandbox.
        args.AddRange(["/usr/bin/prlimit", "--fsize=" + Invariant(launch.FileSizeBytes), "--nofile=" + Invariant(launch.OpenFiles), "--core=0"]);
        if (launch.CpuSeconds is { } cpu)
        {
            args.Add($"--cpu={Invariant(cpu)}:{Invariant(cpu + 1)}");
        }

        if (launch.AddressSpaceBytes is { } addressSpace)
        {
            args.Add("--as=" + Invariant(addressSpace));
        }

        args.Add("--");
        AddBwrap(args, launch);
        return args;
    }

    /// <summary>
    /// How the server starts a chain itself (a code run, the pod self-test; a pod's supervisor starts its own): stdio on
    /// pipes, an empty environment but PATH (nothing of the server's reaches the sandbox), working directory /.
    /// </summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>
    /// The staging area's mount table (an fstab for <c>mount -a -T</c>, run by root in the private mount namespace):
    /// a small tmpfs over <see cref="SandboxRuntimeDirectory.StagingPath"/> holding the sandbox's own tmpfs mounts for
    /// /tmp and /dev/shm (mounted here because bwrap's <c>--tmpfs</c> cannot set noexec; bwrap keeps the flags of a
    /// bind, and in the sandbox's user namespace they are locked), the work directory's root, and the read-only
    /// directories. Root can reach them whatever the modes above them; bwrap, already unprivileged, binds them from
    /// here. The table depends only on the settings and the limits, so a few files serve every sandbox.
    /// </summary>
    public string MountTable(SandboxLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var staging = runtime.StagingPath;
        var tmpfs = string.Create(
            CultureInfo.InvariantCulture,
            $"X-mount.mkdir=0755,size={(long)launch.TmpfsMb * 1024 * 1024},mode=0755,uid={options.SandboxUid},gid={options.SandboxGid},nosuid,nodev{(launch.TmpExecutable ? string.Empty : ",noexec")}");
        var table = new StringBuilder();
        void Line(string source, string target, string type, string mountOptions) =>
            table.Append(Escape(source)).Append(' ').Append(Escape(target)).Append(' ').Append(type).Append(' ').Append(mountOptions).Append(" 0 0\n");

        Line("poddle-stage", staging, "tmpfs", "mode=0755,size=1m,nosuid,nodev,noexec");
        Line("poddle-tmp", Staged("tmp"), "tmpfs", tmpfs);
        Line("poddle-shm", Staged("shm"), "tmpfs", tmpfs);
        Line(launch.WorkDirectory.HostRoot, Staged("work"), "none", "X-mount.mkdir=0755,bind");
        foreach (var (bind, index) in launch.ReadOnlyBinds.Select((b, i) => (b, i)).Where(b => Directory.Exists(b.b.Source)))
        {
            Line(bind.Source, Staged("ro/" + Invariant(index)), "none", "X-mount.mkdir=0755,bind");
        }

        return table.ToString();
    }

    private string WrapperScript(SandboxLaunch launch)
    {
        var script = new StringBuilder(JoinCgroups);
        if (root)
        {
            var table = Quote(runtime.MountTable(MountTable(launch)));
            // mount's own message comes first on stderr, then ours (a subshell to capture it cost ~1 ms per sandbox).
            script.Append($"/usr/bin/mount -a -T {table} || {{ echo \"$0: cannot mount the sandbox's file systems (mount -a -T {table})\" >&2; exit 125; }}; ");
        }

        var filter = Quote(runtime.SeccompFilterPath);
        script.Append($"[ -r {filter} ] || {{ echo \"$0: cannot read the seccomp filter {filter}\" >&2; exit 125; }}; ");
        script.Append(Invariant(SeccompDescriptor)).Append('<').Append(filter).Append(" exec \"$@\"");
        return script.ToString();
    }

    private void AddBwrap(List<string> args, SandboxLaunch launch)
    {
        args.AddRange([options.BwrapPath, "--unshare-all"]);
        if (launch.Network.SharesNamespace)
        {
            args.Add("--share-net");
        }

        args.AddRange(["--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
        args.AddRange(["--uid", Invariant(options.SandboxUid), "--gid", Invariant(options.SandboxGid), "--hostname", launch.Hostname]);
        foreach (var path in options.SystemPaths)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (info.Exists || Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }

        foreach (var file in launch.HostFiles)
        {
            args.AddRange(["--ro-bind", file.Source, file.Target ?? file.Source]);
        }

        foreach (var (bind, index) in launch.ReadOnlyBinds.Select((b, i) => (b, i)))
        {
            var source = root && Directory.Exists(bind.Source) ? Staged("ro/" + Invariant(index)) : bind.Source;
            args.AddRange(["--ro-bind", source, bind.Target ?? bind.Source]);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        if (root)
        {
            args.AddRange(["--bind", Staged("tmp"), "/tmp", "--bind", Staged("shm"), "/dev/shm"]);
        }
        else
        {
            // Without root there is no staging area: bwrap's own tmpfs, nosuid and nodev but not noexec.
            var bytes = Invariant((long)launch.TmpfsMb * 1024 * 1024);
            args.AddRange(["--size", bytes, "--tmpfs", "/tmp", "--size", bytes, "--tmpfs", "/dev/shm"]);
        }

        var work = launch.WorkDirectory;
        var workSource = Path.Join(root ? Staged("work") : work.HostRoot, work.RelativePath);
        args.AddRange([work.Writable ? "--bind" : "--ro-bind", workSource, work.Target, "--chdir", work.Target, "--remount-ro", "/"]);
        args.AddRange(["--seccomp", Invariant(SeccompDescriptor), "--clearenv"]);
        foreach (var (name, value) in launch.Environment)
        {
            args.AddRange(["--setenv", name, value]);
        }

        if (launch.ArgumentsFd is { } fd)
        {
            args.AddRange(["--args", Invariant(fd)]);
        }

        args.Add("--");
        args.AddRange(launch.Command);
    }

    private string Staged(string relative) => Path.Join(runtime.StagingPath, relative);

    /// <summary>A path in an fstab field: space, tab, newline and backslash as octal escapes (as libmount reads them).</summary>
    private static string Escape(string field) =>
        field.Replace("\\", "\\134", StringComparison.Ordinal).Replace(" ", "\\040", StringComparison.Ordinal)
            .Replace("\t", "\\011", StringComparison.Ordinal).Replace("\n", "\\012", StringComparison.Ordinal);

    /// <summary>One word for /bin/sh (single quotes; a quote inside becomes '\'').</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
