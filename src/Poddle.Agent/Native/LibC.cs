using System.Runtime.InteropServices;

namespace Poddle.Agent.Native;

/// <summary>
/// The few libc calls the agent needs and the BCL lacks: signalling a process group, rlimits, reaping orphans,
/// becoming a child subreaper. Linux only (the agent runs in Linux pods).
/// </summary>
internal static class LibC
{
    internal const int SigHup = 1;
    internal const int SigInt = 2;
    internal const int SigQuit = 3;
    internal const int SigKill = 9;
    internal const int SigUsr1 = 10;
    internal const int SigUsr2 = 12;
    internal const int SigTerm = 15;

    internal const int RlimitNoFile = 7;
    internal const int WNoHang = 1;
    internal const int PrSetChildSubreaper = 36;
    internal const int Esrch = 3;

    /// <summary>kill(2); a negative pid signals the process group -pid.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "getpid")]
    internal static extern int GetPid();

    [DllImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    internal static extern int GetPgid(int pid);

    /// <summary>waitpid(2) on one pid: the reaper never waits on -1 (see <see cref="Supervisor.ZombieReaper"/>).</summary>
    [DllImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    internal static extern int WaitPid(int pid, out int status, int options);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    internal static extern int GetRlimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    internal static extern int SetRlimit(int resource, ref RLimit limit);

    /// <summary>struct rlimit on 64-bit Linux: two unsigned longs; RLIM_INFINITY is all ones.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
