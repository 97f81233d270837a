using System.Runtime.InteropServices;

namespace Poddle.Drivers.Sandbox;

internal static class NativeMethods
{
    internal const int SigKill = 9;

    // kill(2): the BCL has no way to signal a pid it did not start (Process.GetProcessById races with pid reuse too).
    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    internal static extern int Kill(int pid, int signal);
}

/// <summary>Linux signal names by number (the generic numbering shared by x86-64 and arm64).</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public static string Of(int signal) =>
        signal > 0 && signal < Names.Length ? Names[signal] : $"SIG{signal}";
}
