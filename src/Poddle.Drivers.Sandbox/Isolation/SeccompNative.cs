using System.Runtime.InteropServices;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// The part of libseccomp (Debian's libseccomp2, <c>seccomp.h</c>) the filter is generated with. Only non-variadic entry
/// points: <c>seccomp_rule_add</c> takes its comparisons as C varargs, which P/Invoke cannot pass, so rules go through
/// <c>seccomp_rule_add_array</c>.
/// </summary>
internal static class SeccompNative
{
    public const string Library = "libseccomp.so.2";

    /// <summary>SCMP_ACT_ALLOW.</summary>
    public const uint ActAllow = 0x7fff0000;

    /// <summary>SCMP_FLTATR_ACT_BADARCH: the action for a system call made with another architecture's ABI.</summary>
    public const int AttrActBadArch = 2;

    /// <summary>The value seccomp_syscall_resolve_name returns for a name libseccomp does not know.</summary>
    public const int ResolveError = -1;

    /// <summary>SCMP_ACT_ERRNO(errno): the call fails with <paramref name="errno"/>, the program goes on.</summary>
    public static uint ActErrno(int errno) => 0x00050000u | ((uint)errno & 0x0000ffffu);

    /// <summary>enum scmp_compare.</summary>
    public enum Compare
    {
        NotEqual = 1,
        Equal = 4,
        MaskedEqual = 7,
    }

    /// <summary>struct scmp_arg_cmp: argument index, operator, two 64-bit operands (the mask first for MaskedEqual).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ArgumentComparison(uint argument, Compare op, ulong a, ulong b = 0)
    {
        public uint Argument = argument;
        public Compare Operator = op;
        public ulong DatumA = a;
        public ulong DatumB = b;
    }

    [DllImport(Library, EntryPoint = "seccomp_init")]
    public static extern IntPtr Init(uint defaultAction);

    [DllImport(Library, EntryPoint = "seccomp_release")]
    public static extern void Release(IntPtr context);

    [DllImport(Library, EntryPoint = "seccomp_attr_set")]
    public static extern int SetAttribute(IntPtr context, int attribute, uint value);

    [DllImport(Library, EntryPoint = "seccomp_syscall_resolve_name")]
    public static extern int ResolveName([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(Library, EntryPoint = "seccomp_rule_add_array")]
    public static extern int AddRule(IntPtr context, uint action, int syscall, uint count, [In] ArgumentComparison[]? comparisons);

    [DllImport(Library, EntryPoint = "seccomp_export_bpf")]
    public static extern int ExportBpf(IntPtr context, int fd);

    [DllImport(Library, EntryPoint = "seccomp_export_pfc")]
    public static extern int ExportPfc(IntPtr context, int fd);

    // memfd_create(2): an anonymous file for the exported program, so nothing touches a file system.
    [DllImport("libc", SetLastError = true, EntryPoint = "memfd_create")]
    public static extern int MemfdCreate([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);

    public const uint MfdCloexec = 1;
}
