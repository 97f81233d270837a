using System.Text;

namespace Poddle.Drivers.Sandbox.Tests.Isolation;

/// <summary>
/// A C program that tries every system call the seccomp filter denies (docs/sandbox.md, "Seccomp"), with arguments that
/// would do no harm if a call got through, and prints one line per call: its name and the errno it failed with (0 when
/// it succeeded). The "ok:" lines are what must keep working. Run in a code run and in a pod by the hostile tests.
/// </summary>
internal static class SyscallProbe
{
    public const string Source = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <linux/perf_event.h>
        #include <pthread.h>
        #include <sched.h>
        #include <signal.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/mount.h>
        #include <sys/personality.h>
        #include <sys/syscall.h>
        #include <sys/timex.h>
        #include <sys/uio.h>
        #include <sys/wait.h>
        #include <time.h>
        #include <unistd.h>

        /* Each line: "<name> <errno>", 0 when the call succeeded. */
        static void report(const char *name, long result) { printf("%s %d\n", name, result < 0 ? errno : 0); fflush(stdout); }
        #define TRY(name, call) do { errno = 0; report(name, (long)(call)); } while (0)

        static long child_clone(unsigned long flags) {
            long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
            if (pid == 0) _exit(0);
            if (pid > 0) waitpid((pid_t)pid, 0, 0);
            return pid;
        }
        static long child_clone3(void) {
            uint64_t args[11] = {0};
            args[4] = SIGCHLD; /* exit_signal */
            long pid = syscall(435, args, sizeof args);
            if (pid == 0) _exit(0);
            if (pid > 0) waitpid((pid_t)pid, 0, 0);
            return pid;
        }
        #if defined(__x86_64__)
        /* getpid through the 32-bit entry point (i386 number 20), which a filter for x86_64 alone would not see. */
        static long int80_getpid(void) {
            long r;
            __asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L) : "memory");
            if (r < 0) { errno = (int)-r; return -1; }
            return r;
        }
        #endif
        static void *nothing(void *arg) { return arg; }

        int main(void) {
            char buffer[16] = "x", target[16];
            struct iovec local = { target, sizeof target }, remote = { buffer, sizeof buffer };
            struct timex tx = {0};
            struct timespec now;
            struct perf_event_attr perf = {0};
            perf.type = PERF_TYPE_SOFTWARE; perf.size = sizeof perf; perf.config = PERF_COUNT_SW_CPU_CLOCK; perf.exclude_kernel = 1; perf.exclude_hv = 1;
            unsigned char handle[128] = {0};
            int mount_id;
            uint32_t uring[32] = {0};
            clock_gettime(CLOCK_REALTIME, &now);

            TRY("mount", mount("none", "/tmp", "tmpfs", 0, 0));
            TRY("umount2", umount2("/tmp", MNT_DETACH));
            TRY("pivot_root", syscall(SYS_pivot_root, ".", "."));
            TRY("chroot", chroot("/tmp"));
            TRY("fsopen", syscall(430, "tmpfs", 0));
            TRY("open_tree", syscall(428, AT_FDCWD, "/tmp", 1));
            TRY("setns", setns(open("/proc/self/ns/uts", O_RDONLY), 0));
            TRY("unshare", unshare(CLONE_NEWUSER));
            TRY("clone", child_clone(CLONE_NEWUSER));
            TRY("clone3", child_clone3());
            TRY("ptrace", syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
            TRY("process_vm_readv", process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
            TRY("kcmp", syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0));
            TRY("pidfd_getfd", syscall(438, syscall(434, getpid(), 0), 0, 0));
            TRY("bpf", syscall(SYS_bpf, 0, handle, 48));
            TRY("perf_event_open", syscall(SYS_perf_event_open, &perf, 0, -1, -1, 0));
            TRY("userfaultfd", syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */));
            TRY("io_uring_setup", syscall(425, 1, uring));
            TRY("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
            TRY("add_key", syscall(SYS_add_key, "user", "poddle-probe", "x", 1, -2 /* process keyring */));
            TRY("request_key", syscall(SYS_request_key, "user", "poddle-probe-none", 0, 0));
            TRY("kexec_load", syscall(SYS_kexec_load, 0, 0, 0, 0));
            TRY("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
            TRY("init_module", syscall(SYS_init_module, 0, 0, ""));
            TRY("finit_module", syscall(SYS_finit_module, -1, "", 0));
            TRY("delete_module", syscall(SYS_delete_module, "poddle_probe", 0));
            TRY("reboot", syscall(SYS_reboot, 0, 0, 0, 0));
            TRY("swapon", syscall(SYS_swapon, "/nonexistent", 0));
            TRY("swapoff", syscall(SYS_swapoff, "/nonexistent"));
            TRY("acct", syscall(SYS_acct, 0));
            TRY("settimeofday", syscall(SYS_settimeofday, 0, 0));
            TRY("clock_settime", clock_settime(CLOCK_REALTIME, &now));
            TRY("clock_adjtime", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx));
            TRY("adjtimex", adjtimex(&tx));
            TRY("syslog", syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, 0, 0));
            TRY("quotactl", syscall(SYS_quotactl, 0, 0, 0, 0));
            TRY("lookup_dcookie", syscall(SYS_lookup_dcookie, 0, 0, 0));
            TRY("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY));
            TRY("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", handle, &mount_id, 0));
            TRY("personality", personality(PER_LINUX32));
        #if defined(__x86_64__)
            TRY("iopl", syscall(SYS_iopl, 3));
            TRY("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
            TRY("x32", syscall(0x40000000 | SYS_getpid));
            TRY("int80", int80_getpid());
        #else
            /* No such entry points on this architecture: nothing to refuse. */
            printf("iopl 1\nioperm 1\nx32 1\nint80 1\n");
        #endif
            /* What must keep working. */
            TRY("ok:fork", child_clone(0));
            TRY("ok:unshare_files", unshare(CLONE_FILES));
            TRY("ok:personality0", personality(PER_LINUX));
            pthread_t thread;
            errno = pthread_create(&thread, 0, nothing, 0);
            report("ok:pthread", errno ? -1 : 0);
            if (!errno) pthread_join(thread, 0);
            return 0;
        }
        """;

    /// <summary>Calls the filter refuses with EPERM. Without the filter several succeed here (unshare, ptrace, keyctl,
    /// add_key, perf_event_open, userfaultfd, io_uring_setup, adjtimex, personality, name_to_handle_at) and others fail
    /// with another errno (ENOSYS for kexec and modules on this kernel, EINVAL for bpf), so the test can fail.</summary>
    public static IReadOnlyList<string> Denied { get; } =
    [
        "mount", "umount2", "pivot_root", "chroot", "fsopen", "open_tree", "setns", "unshare", "clone", "ptrace",
        "process_vm_readv", "kcmp", "pidfd_getfd", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "keyctl",
        "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
        "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "syslog", "quotactl",
        "lookup_dcookie", "open_by_handle_at", "name_to_handle_at", "iopl", "ioperm", "personality", "x32", "int80",
    ];

    /// <summary>What the program must still be able to do.</summary>
    public static IReadOnlyList<string> Allowed { get; } = ["ok:fork", "ok:unshare_files", "ok:personality0", "ok:pthread"];

    private const int Eperm = 1;
    private const int Enosys = 38;

    /// <summary>Checks the probe's output: every denied call EPERM, clone3 ENOSYS (libc falls back to clone), the rest worked.</summary>
    public static void AssertRefused(string output)
    {
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var wrong = new StringBuilder();
        foreach (var name in Denied)
        {
            if (results.GetValueOrDefault(name, -1) != Eperm)
            {
                wrong.Append($"{name}={results.GetValueOrDefault(name, -1)} ");
            }
        }

        if (results.GetValueOrDefault("clone3", -1) != Enosys)
        {
            wrong.Append($"clone3={results.GetValueOrDefault("clone3", -1)} ");
        }

        foreach (var name in Allowed)
        {
            if (results.GetValueOrDefault(name, -1) != 0)
            {
                wrong.Append($"{name}={results.GetValueOrDefault(name, -1)} ");
            }
        }

        Assert.True(wrong.Length == 0, $"not as expected (name=errno, -1 when missing): {wrong}\nwhole output:\n{output}");
    }
}
