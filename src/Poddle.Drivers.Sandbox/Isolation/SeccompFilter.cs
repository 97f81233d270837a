using Microsoft.Win32.SafeHandles;
using static Poddle.Drivers.Sandbox.Isolation.SeccompNative;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// The seccomp filter of every sandbox, code runs and pods alike (bwrap <c>--seccomp FD</c>), generated with libseccomp
/// rather than written as BPF by hand. A deny list over a default of allow: what Docker's default profile denies to a
/// container without capabilities, plus the new mount API, io_uring and the other calls below. A denied call fails
/// with EPERM, so the program sees an error it can handle, as it would for a missing capability; only
/// <c>clone3</c> fails with ENOSYS, so that libc falls back to <c>clone</c>, whose flags (unlike clone3's, which sit in
/// memory) the filter can read. Calls made through another ABI than the native one (32-bit <c>int 0x80</c>, x32)
/// fail with EPERM too: none of the sandbox's runtimes needs them and they would slip past the native rules.
/// </summary>
internal static class SeccompFilter
{
    private const int Eperm = 1;
    private const int Enosys = 38;

    // clone/unshare flags that create a namespace (linux/sched.h). CLONE_NEWTIME is checked for unshare only: in
    // clone's first argument the low byte is the exit signal, so 0x80 there is no namespace flag.
    private const ulong CloneNewTime = 0x00000080;
    private static readonly ulong[] CloneNamespaceFlags =
    [
        0x00020000, // CLONE_NEWNS
        0x02000000, // CLONE_NEWCGROUP
        0x04000000, // CLONE_NEWUTS
        0x08000000, // CLONE_NEWIPC
        0x10000000, // CLONE_NEWUSER
        0x20000000, // CLONE_NEWPID
        0x40000000, // CLONE_NEWNET
    ];

    // ioctl requests that push input into a terminal or drive the console (bwrap's --new-session covers TIOCSTI too).
    private const ulong Tiocsti = 0x5412;
    private const ulong Tioclinux = 0x541C;

    private static readonly Lazy<byte[]> Compiled = new(() => Export(ExportBpf));

    /// <summary>System calls denied whatever their arguments.</summary>
    public static IReadOnlyList<string> Denied { get; } =
    [
        // File systems and the mount table (the new mount API included).
        "mount", "umount", "umount2", "pivot_root", "chroot",
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        // Entering other namespaces.
        "setns",
        // Other processes' memory and file descriptors.
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
        // Kernel interfaces with a history of privilege escalations.
        "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
        // The kernel keyring (shared across the host's containers).
        "keyctl", "add_key", "request_key",
        // The machine as a whole: kernels, modules, power, swap, accounting, clocks, the kernel log, quotas.
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "reboot", "swapon", "swapoff", "acct",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "syslog", "quotactl", "quotactl_fd", "lookup_dcookie", "nfsservctl", "uselib", "vhangup",
        // I/O ports.
        "iopl", "ioperm",
        // Opening files by handle bypasses the path walk (the "shocker" container escape).
        "open_by_handle_at", "name_to_handle_at",
    ];

    /// <summary>The compiled BPF program (struct sock_filter[]), as bwrap reads it from <c>--seccomp FD</c>.</summary>
    public static byte[] Program => Compiled.Value;

    /// <summary>The filter in libseccomp's pseudo filter code, for people (docs/sandbox.md, tests).</summary>
    public static string Describe() => System.Text.Encoding.UTF8.GetString(Export(ExportPfc));

    private static byte[] Export(Func<IntPtr, int, int> export)
    {
        var context = Init(ActAllow);
        if (context == IntPtr.Zero)
        {
            throw new InvalidOperationException("seccomp_init failed");
        }

        try
        {
            Check(SetAttribute(context, AttrActBadArch, ActErrno(Eperm)), "seccomp_attr_set(SCMP_FLTATR_ACT_BADARCH)");
            var deny = ActErrno(Eperm);
            foreach (var name in Denied)
            {
                Add(context, deny, name);
            }

            foreach (var flag in CloneNamespaceFlags)
            {
                Add(context, deny, "clone", new ArgumentComparison(0, Compare.MaskedEqual, flag, flag));
            }

            foreach (var flag in CloneNamespaceFlags.Append(CloneNewTime))
            {
                Add(context, deny, "unshare", new ArgumentComparison(0, Compare.MaskedEqual, flag, flag));
            }

            Add(context, ActErrno(Enosys), "clone3");
            // Only the default execution domain (PER_LINUX): no READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE or other ABI. The query
            // personality(0xffffffff) is refused too: libseccomp cannot compare one argument twice in a rule (EINVAL).
            Add(context, deny, "personality", new ArgumentComparison(0, Compare.NotEqual, 0));
            foreach (var request in new[] { Tiocsti, Tioclinux })
            {
                Add(context, deny, "ioctl", new ArgumentComparison(1, Compare.MaskedEqual, 0xffffffff, request));
            }

            var fd = MemfdCreate("poddle-seccomp", MfdCloexec);
            if (fd < 0)
            {
                throw new InvalidOperationException($"memfd_create failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }

            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            Check(export(context, fd), "seccomp_export");
            using var stream = new FileStream(handle, FileAccess.Read);
            stream.Position = 0;
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray();
        }
        finally
        {
            Release(context);
        }
    }

    private static void Add(IntPtr context, uint action, string name, params ArgumentComparison[] comparisons)
    {
        var syscall = ResolveName(name);
        if (syscall == ResolveError)
        {
            throw new InvalidOperationException($"libseccomp does not know the system call '{name}'");
        }

        // A call this architecture does not have resolves to a negative pseudo number, which libseccomp skips.
        Check(AddRule(context, action, syscall, (uint)comparisons.Length, comparisons.Length == 0 ? null : comparisons), $"seccomp_rule_add({name})");
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new InvalidOperationException($"{what} failed: errno {-result}");
        }
    }
}
