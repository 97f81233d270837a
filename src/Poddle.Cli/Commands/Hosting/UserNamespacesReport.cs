namespace Poddle.Cli.Commands.Hosting;

/// <summary>/proc/sys/user/max_user_namespaces and, on kernels that have it, /proc/sys/kernel/unprivileged_userns_clone.</summary>
internal sealed record UserNamespacesReport(bool Allowed, long? MaxUserNamespaces, int? UnprivilegedUsernsClone);
